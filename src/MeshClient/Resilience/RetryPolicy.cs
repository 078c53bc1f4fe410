using System.Globalization;
using MeshClient.Configuration;

namespace MeshClient.Resilience;

/// <summary>
/// A route's validated retry (or hedging) policy, as Envoy's <c>RetryPolicy</c>: immutable, built once
/// per snapshot. Routes whose policies have the same <see cref="Key"/> share one Polly pipeline.
/// </summary>
internal sealed class RetryPolicy
{
    private RetryPolicy(HttpRetryOptions options, RetryConditions conditions, int[] statusCodes)
    {
        MaxRetries = options.Attempts;
        PerTryTimeout = options.PerTryTimeout;
        Conditions = conditions;
        StatusCodes = statusCodes;
        IgnorePreviousHosts = options.RetryIgnorePreviousHosts;
        BaseBackoff = options.Backoff ?? RetryDefaults.BaseBackoff;
        MaxBackoff = BaseBackoff * RetryDefaults.MaxBackoffFactor;
        RetryNonIdempotent = options.RetryNonIdempotent;
        MaxRequestBufferBytes = options.MaxRequestBufferBytes;
        HonorRetryAfter = options.HonorRetryAfter;
        if (options.Hedging is { } hedging)
        {
            HedgingDelay = hedging.Delay;
            HedgingMaxAttempts = hedging.MaxAttempts;
        }

        Key = string.Create(
            CultureInfo.InvariantCulture,
            $"{MaxRetries}|{PerTryTimeout?.Ticks}|{(int)Conditions}|{string.Join(',', StatusCodes)}|{IgnorePreviousHosts}|{BaseBackoff.Ticks}|{RetryNonIdempotent}|{MaxRequestBufferBytes}|{HonorRetryAfter}|{HedgingDelay?.Ticks}|{HedgingMaxAttempts}");
    }

    /// <summary>Istio's built-in default: 2 retries on <see cref="RetryOn.IstioDefault"/>, no status codes.</summary>
    public static RetryPolicy IstioDefault { get; } = From(new HttpRetryOptions())!;

    /// <summary>Retries after the first attempt (Envoy <c>num_retries</c>).</summary>
    public int MaxRetries { get; }

    public TimeSpan? PerTryTimeout { get; }

    /// <summary>What is retried (Envoy <c>retry_on</c>).</summary>
    public RetryConditions Conditions { get; }

    /// <summary>Envoy <c>retriable_status_codes</c>.</summary>
    public int[] StatusCodes { get; }

    /// <summary>Envoy's <c>previous_hosts</c> predicate.</summary>
    public bool IgnorePreviousHosts { get; }

    public TimeSpan BaseBackoff { get; }

    public TimeSpan MaxBackoff { get; }

    public bool RetryNonIdempotent { get; }

    public long MaxRequestBufferBytes { get; }

    public bool HonorRetryAfter { get; }

    /// <summary>The hedging delay, or <see langword="null"/> when the route retries instead of hedging.</summary>
    public TimeSpan? HedgingDelay { get; }

    public int HedgingMaxAttempts { get; }

    public bool IsHedging => HedgingDelay is not null;

    /// <summary>Whether the policy can send more than one attempt (an <c>attempts: 0</c> policy with a per-try timeout cannot).</summary>
    public bool CanRetry => MaxRetries > 0 || IsHedging;

    /// <summary>Equal for equal policies: the key under which routes share a pipeline.</summary>
    public string Key { get; }

    /// <summary>The policy of validated <paramref name="options"/>; <see langword="null"/> when they turn retries off and set nothing else.</summary>
    public static RetryPolicy? From(HttpRetryOptions? options)
    {
        if (options is null || (options.Attempts <= 0 && options.Hedging is null && options.PerTryTimeout is null))
        {
            return null; // Istio: attempts 0 means no retry policy
        }

        var codes = new List<int>();
        var conditions = RetryOn.Parse(options.RetryOn ?? RetryOn.IstioDefault, codes, []);
        codes.Sort();
        return new RetryPolicy(options, conditions, [.. codes]);
    }

    /// <summary>Whether <paramref name="status"/> is one of <see cref="StatusCodes"/>.</summary>
    public bool IsRetriableStatus(int status) => Array.IndexOf(StatusCodes, status) >= 0;
}
