namespace MeshClient.Configuration;

/// <summary>The defaults of retries, back-off, budgets and hedging, in one place.</summary>
internal static class RetryDefaults
{
    /// <summary>Istio's default policy: 2 retries.</summary>
    public const int Attempts = 2;

    /// <summary>Envoy's base back-off interval (<c>upstream.base_retry_backoff_ms</c>).</summary>
    public static readonly TimeSpan BaseBackoff = TimeSpan.FromMilliseconds(25);

    /// <summary>Envoy's longest back-off is ten times the base.</summary>
    public const int MaxBackoffFactor = 10;

    /// <summary>Envoy's <c>per_request_buffer_limit_bytes</c>-like limit for bodies kept for a retry.</summary>
    public const long MaxRequestBufferBytes = 1024 * 1024;

    public static readonly TimeSpan HedgingDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>gRPC A6 caps attempts (retries and hedges) at 5.</summary>
    public const int MaxHedgedAttempts = 5;

    /// <summary>Envoy's retry budget: 20% of active requests, at least 3 concurrent retries.</summary>
    public const double BudgetPercent = 20;

    public const int BudgetMinRetryConcurrency = 3;

    /// <summary>Linkerd/Finagle token budget: 20% of requests, at least 10 retries a second, over 10 s.</summary>
    public const double TokenRatio = 0.2;

    public const int MinRetriesPerSecond = 10;

    public static readonly TimeSpan TokenTtl = TimeSpan.FromSeconds(10);
}
