using System.Globalization;
using MeshClient.Resilience;

namespace MeshClient.Configuration;

/// <summary>
/// Validates <see cref="HttpRetryOptions"/> with Istio's rules (VirtualService <c>validateHTTPRetry</c>) and
/// warns about the combinations users trip on (ISTIO-SEMANTICS.md §7.2): a per-try timeout that
/// <c>retryOn</c> cannot retry, and attempts × per-try timeout beyond the route timeout. Also the
/// cluster's <see cref="RetryBudgetOptions"/>.
/// </summary>
internal static class RetryOptionsValidator
{
    /// <summary>Receives one finding: an error or a warning, its field path, then the rest of the message.</summary>
    public delegate void Report(bool error, string path, string rest);

    public static void Validate(HttpRetryOptions? retries, TimeSpan? routeTimeout, string path, Report report)
    {
        if (retries is null)
        {
            return;
        }

        if (retries.Attempts < 0)
        {
            report(true, path + ".attempts", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {retries.Attempts}: attempts cannot be negative."));
        }
        else if (retries.Attempts == 0 && (retries.PerTryTimeout is not null || retries.RetryOn is not null || retries.Backoff is not null || retries.RetryRemoteLocalities || !retries.RetryIgnorePreviousHosts))
        {
            // Istio: "http retry policy configured when attempts are set to 0 (disabled)".
            report(true, path, ": Invalid value: http retry policy configured when attempts are set to 0 (disabled); remove the other retry fields or set attempts.");
        }

        if (retries.PerTryTimeout is { } perTry && DurationValidator.Check(perTry) is { } perTryProblem)
        {
            report(true, path + ".perTryTimeout", " " + perTryProblem);
        }

        if (retries.Backoff is { } backoff && DurationValidator.Check(backoff) is { } backoffProblem)
        {
            report(true, path + ".backoff", " " + backoffProblem);
        }

        var conditions = RetryConditions.None;
        if (retries.RetryOn is { } retryOn)
        {
            var invalid = new List<string>();
            conditions = RetryOn.Parse(retryOn, [], invalid);
            foreach (var token in invalid)
            {
                report(true, path + ".retryOn", $": Invalid value: '{DiagnosticText.Cut(token)}' is not a valid retryOn value; use {RetryOn.Accepted}.");
            }
        }
        else
        {
            conditions = RetryOn.Parse(RetryOn.IstioDefault, [], []);
        }

        if (retries.MaxRequestBufferBytes < 0)
        {
            report(true, path + ".maxRequestBufferBytes", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {retries.MaxRequestBufferBytes}: must not be negative."));
        }

        if (retries.Hedging is { } hedging)
        {
            if (hedging.MaxAttempts is < 2 or > RetryDefaults.MaxHedgedAttempts)
            {
                report(true, path + ".hedging.maxAttempts", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {hedging.MaxAttempts}: must be between 2 and {RetryDefaults.MaxHedgedAttempts}."));
            }

            if (hedging.Delay < TimeSpan.Zero)
            {
                report(true, path + ".hedging.delay", $": Invalid value: '{DurationValidator.Format(hedging.Delay)}': must not be negative.");
            }
        }

        if (retries.PerTryTimeout is { } timeoutPerTry && retries.Attempts > 0)
        {
            if ((conditions & RetryConditions.AnyReset) == 0)
            {
                report(false, path + ".perTryTimeout", $" is set, but retryOn '{DiagnosticText.Cut(retries.RetryOn ?? RetryOn.IstioDefault)}' does not retry a per-try timeout (only 5xx, gateway-error and reset do, as in Envoy): an attempt that times out ends the request with 504 UT.");
            }

            if (routeTimeout is { } total && timeoutPerTry * (retries.Attempts + 1) > total)
            {
                report(false, path + ".perTryTimeout", string.Create(CultureInfo.InvariantCulture, $": {retries.Attempts + 1} attempts of up to {DurationValidator.Format(timeoutPerTry)} exceed the route timeout {DurationValidator.Format(total)}, which bounds all attempts together: the last attempts may never run."));
            }
        }
    }

    public static void ValidateBudget(RetryBudgetOptions? budget, string path, Report report)
    {
        if (budget is null)
        {
            return;
        }

        if (budget.Percent is { } percent && (percent is < 0 or > 100 || double.IsNaN(percent)))
        {
            report(true, path + ".percent", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {percent}: must be between 0 and 100."));
        }

        if (budget.MinRetryConcurrency < 0)
        {
            report(true, path + ".minRetryConcurrency", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {budget.MinRetryConcurrency}: must not be negative."));
        }

        if (budget.TokenRatio is { } ratio && (ratio is < 0 or > 1000 || double.IsNaN(ratio)))
        {
            report(true, path + ".tokenRatio", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {ratio}: must be between 0 and 1000."));
        }

        if (budget.MinRetriesPerSecond < 0)
        {
            report(true, path + ".minRetriesPerSecond", string.Create(CultureInfo.InvariantCulture, $": Invalid value: {budget.MinRetriesPerSecond}: must not be negative."));
        }

        if (budget.TokenTtl < TimeSpan.FromSeconds(1) || budget.TokenTtl > TimeSpan.FromSeconds(60) || budget.TokenTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            report(true, path + ".tokenTtl", $": Invalid value: '{DurationValidator.Format(budget.TokenTtl)}': must be whole seconds between 1s and 60s.");
        }
    }

    /// <summary>Reports to a service's findings.</summary>
    public static Report To(ServiceFindings findings) => (error, path, rest) =>
    {
        if (error)
        {
            findings.Error(path, rest);
        }
        else
        {
            findings.Warning(path, rest);
        }
    };
}
