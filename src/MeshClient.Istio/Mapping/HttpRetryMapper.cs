using System.Globalization;
using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads a VirtualService <c>http[].retries</c> block (Istio <c>HTTPRetry</c>) into
/// <see cref="HttpRetryOptions"/> (ISTIO-SEMANTICS.md §2.3), each unreadable value reported at its
/// <c>file:line</c> and left at its default. Istio's rules on the values (attempts 0 with other fields,
/// <c>retryOn</c> tokens, the per-try timeout warnings) are the core validator's, so that C#,
/// appsettings and YAML get the same messages.
/// </summary>
/// <remarks>
/// An absent <c>attempts</c> is 0, as in Istio's proto (so a block that sets only <c>retryOn</c> is
/// Istio's validation error). MeshClient's own settings (<c>RetryNonIdempotent</c>, hedging, the body
/// buffer, <c>Retry-After</c>) have no Istio field; they keep their C# defaults here, and the
/// <c>RetryPolicy</c> kind (<see cref="RetryPolicyMapper"/>) sets them per host.
/// </remarks>
internal static class HttpRetryMapper
{
    public static HttpRetryOptions? Map(ObjectReader reader, YamlMappingNode retries, string path)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(retries);
        var options = new HttpRetryOptions { Attempts = 0 };
        if (reader.Int(retries, "attempts", path + ".attempts") is { } attempts)
        {
            if (attempts < 0)
            {
                reader.Error(YamlNodes.Get(retries, "attempts")!, path + ".attempts", string.Create(CultureInfo.InvariantCulture, $"{path}.attempts: Invalid value: {attempts}: attempts cannot be negative."));
            }
            else
            {
                options.Attempts = attempts;
            }
        }

        options.PerTryTimeout = IstioFields.Duration(reader, retries, "perTryTimeout", path);
        options.Backoff = IstioFields.Duration(reader, retries, "backoff", path);
        if (reader.String(retries, "retryOn", path + ".retryOn") is { } retryOn)
        {
            options.RetryOn = retryOn;
        }

        if (IstioFields.Bool(reader, retries, "retryRemoteLocalities", path) is { } remote)
        {
            options.RetryRemoteLocalities = remote;
        }

        if (IstioFields.Bool(reader, retries, "retryIgnorePreviousHosts", path) is { } ignorePrevious)
        {
            options.RetryIgnorePreviousHosts = ignorePrevious;
        }

        return options;
    }

    /// <summary>
    /// Reads a DestinationRule's <c>trafficPolicy.retryBudget</c> (Envoy's retry budget) into
    /// <see cref="RetryBudgetOptions"/>: <c>percent.value</c> (Envoy's default 20 when absent) and
    /// <c>minRetryConcurrency</c> (default 3). <see langword="null"/> when the policy has none.
    /// </summary>
    public static RetryBudgetOptions? MapBudget(ObjectReader reader, YamlMappingNode policy, string policyPath)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(policy);
        var path = policyPath + ".retryBudget";
        if (reader.Mapping(policy, "retryBudget", path) is not { } block)
        {
            return null;
        }

        var options = new RetryBudgetOptions { Percent = RetryBudgetPercent };
        if (reader.Mapping(block, "percent", path + ".percent") is { } percent
            && reader.Double(percent, "value", path + ".percent.value") is { } value)
        {
            options.Percent = value; // the core validator checks 0..100
        }

        if (reader.Int(block, "minRetryConcurrency", path + ".minRetryConcurrency") is { } minimum)
        {
            options.MinRetryConcurrency = minimum;
        }

        return options;
    }

    /// <summary>Envoy's <c>retry_budget.budget_percent</c> default.</summary>
    private const double RetryBudgetPercent = 20;
}
