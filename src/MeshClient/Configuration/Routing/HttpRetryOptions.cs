namespace MeshClient.Configuration;

/// <summary>
/// How a route retries failed attempts (an Istio <c>VirtualService.http[].retries</c> block, plus
/// MeshClient's safe-retry and hedging settings). Every attempt picks an endpoint again, another one
/// than the attempts before when one exists. All attempts together are bounded by the route's
/// <c>timeout</c>.
/// </summary>
/// <remarks>
/// A route without <c>Retries</c> uses <see cref="MeshOptions.DefaultRetryPolicy"/>, else Istio's
/// built-in default: 2 retries on <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c>
/// with no status codes (Istio 1.24 and later no longer retries 503 by default).
/// </remarks>
public sealed class HttpRetryOptions
{
    /// <summary>Gets or sets how many retries a request may have after its first attempt; 0 turns retries off.</summary>
    /// <value>
    /// Defaults to 2, the retries of Istio's default policy (Istio <c>attempts</c>; in Istio YAML an absent
    /// <c>attempts</c> is 0). With 0, no other retry setting may be set, as Istio's validation requires.
    /// </value>
    public int Attempts { get; set; } = RetryDefaults.Attempts;

    /// <summary>Gets or sets the timeout of each attempt, the first one included.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: each attempt is bounded only by the route timeout (Istio
    /// <c>perTryTimeout</c>). At least 1 ms, in whole milliseconds. An attempt that times out is retried
    /// only when <see cref="RetryOn"/> contains <c>5xx</c>, <c>gateway-error</c> or <c>reset</c>, as in Envoy.
    /// </value>
    public TimeSpan? PerTryTimeout { get; set; }

    /// <summary>
    /// Gets or sets the conditions to retry on, comma-separated as in Istio: <c>5xx</c>, <c>gateway-error</c>,
    /// <c>reset</c>, <c>reset-before-request</c>, <c>connect-failure</c>, <c>envoy-ratelimited</c>,
    /// <c>retriable-4xx</c>, <c>refused-stream</c>, <c>retriable-status-codes</c>, <c>retriable-headers</c>,
    /// <c>http3-post-connect-failure</c>, the gRPC statuses <c>cancelled</c>, <c>deadline-exceeded</c>,
    /// <c>internal</c>, <c>resource-exhausted</c>, <c>unavailable</c>, and HTTP status codes (<c>503</c>).
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: Istio's default, <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c>
    /// (Istio <c>retryOn</c>).
    /// </value>
    public string? RetryOn { get; set; }

    /// <summary>Gets or sets whether retries prefer other localities (Istio <c>retryRemoteLocalities</c>).</summary>
    /// <value>Defaults to <see langword="false"/>. Accepted but not applied yet: retries follow the same locality priority loads as first attempts (Envoy without its <c>previous_priorities</c> retry priority).</value>
    public bool RetryRemoteLocalities { get; set; }

    /// <summary>Gets or sets whether a retry avoids the endpoints earlier attempts of the request went to (redrawn up to 5 times).</summary>
    /// <value>Defaults to <see langword="true"/> (Istio <c>retryIgnorePreviousHosts</c>).</value>
    public bool RetryIgnorePreviousHosts { get; set; } = true;

    /// <summary>Gets or sets the base interval of the back-off between retries; the longest wait is ten times it.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: 25 ms, Envoy's (Istio <c>backoff</c>). The wait before retry n is
    /// uniform in [0, base × 2^(n−1)), at most [0, 10 × base). At least 1 ms, in whole milliseconds.
    /// </value>
    public TimeSpan? Backoff { get; set; }

    /// <summary>
    /// Gets or sets whether requests with a method that is not idempotent (POST, PATCH, ...) are retried
    /// on every <see cref="RetryOn"/> condition, as Envoy does.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="false"/> (MeshClient only): such a request is retried only when it provably
    /// never reached the server (<c>connect-failure</c>, <c>refused-stream</c>, <c>reset-before-request</c>),
    /// unless it carries an <c>Idempotency-Key</c> header. GET, HEAD, OPTIONS, TRACE, PUT and DELETE are idempotent.
    /// </value>
    public bool RetryNonIdempotent { get; set; }

    /// <summary>
    /// Gets or sets the largest request body kept for a retry, in bytes. A body that can be sent again
    /// as it is (byte array, string, form) is never copied; another body of known length up to this size is
    /// buffered before the first attempt; a larger one, or one of unknown length, turns retries off for that
    /// request (logged), never failing it.
    /// </summary>
    /// <value>Defaults to 1 MiB (Envoy's <c>per_request_buffer_limit_bytes</c>). Must not be negative.</value>
    public long MaxRequestBufferBytes { get; set; } = RetryDefaults.MaxRequestBufferBytes;

    /// <summary>
    /// Gets or sets whether a <c>Retry-After</c> header on a retried response (a 429 or 503, say) sets the
    /// wait before the next attempt, instead of the back-off.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>, as in Istio (MeshClient only). The route timeout still bounds the wait.</value>
    public bool HonorRetryAfter { get; set; }

    /// <summary>
    /// Gets or sets hedging: further attempts sent while the first is still pending, the first acceptable
    /// response winning. When set, it replaces retries on this route (gRPC A6: a method has one or the other).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no hedging (MeshClient only; Istio has none).</value>
    public HttpHedgingOptions? Hedging { get; set; }
}
