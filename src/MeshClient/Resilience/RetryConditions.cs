namespace MeshClient.Resilience;

/// <summary>
/// Envoy's retry conditions (<c>retry_on</c>; Istio <c>retryOn</c>), as flags: what a route retries
/// on, and what an attempt's outcome was (the one classifier, <see cref="Http.AttemptFailures"/>,
/// reports the conditions of a failure; <see cref="RetryDecider"/> those of a response).
/// </summary>
[Flags]
internal enum RetryConditions
{
    None = 0,

    /// <summary><c>5xx</c>: any 5xx response, or any reset, disconnect or per-try timeout.</summary>
    FiveXx = 1 << 0,

    /// <summary><c>gateway-error</c>: 502, 503 or 504 (and, as in Envoy's code, any reset).</summary>
    GatewayError = 1 << 1,

    /// <summary><c>reset</c>: no response at all (disconnect, reset, per-try timeout).</summary>
    Reset = 1 << 2,

    /// <summary><c>reset-before-request</c>: a reset before any request bytes were sent.</summary>
    ResetBeforeRequest = 1 << 3,

    /// <summary><c>connect-failure</c>: the connection could not be made.</summary>
    ConnectFailure = 1 << 4,

    /// <summary><c>envoy-ratelimited</c>: the response carries <c>x-envoy-ratelimited</c>.</summary>
    EnvoyRateLimited = 1 << 5,

    /// <summary><c>retriable-4xx</c>: 409.</summary>
    Retriable4xx = 1 << 6,

    /// <summary><c>refused-stream</c>: HTTP/2 <c>REFUSED_STREAM</c>.</summary>
    RefusedStream = 1 << 7,

    /// <summary><c>retriable-status-codes</c>: a status in the route's list (or the request's <c>x-envoy-retriable-status-codes</c>).</summary>
    RetriableStatusCodes = 1 << 8,

    /// <summary><c>retriable-headers</c>: a response header named by the request's <c>x-envoy-retriable-header-names</c>.</summary>
    RetriableHeaders = 1 << 9,

    /// <summary><c>http3-post-connect-failure</c>: accepted; MeshClient never sends HTTP/3 to an endpoint.</summary>
    Http3PostConnectFailure = 1 << 10,

    /// <summary>gRPC <c>cancelled</c> (1) in the response headers.</summary>
    GrpcCancelled = 1 << 11,

    /// <summary>gRPC <c>deadline-exceeded</c> (4).</summary>
    GrpcDeadlineExceeded = 1 << 12,

    /// <summary>gRPC <c>internal</c> (13).</summary>
    GrpcInternal = 1 << 13,

    /// <summary>gRPC <c>resource-exhausted</c> (8).</summary>
    GrpcResourceExhausted = 1 << 14,

    /// <summary>gRPC <c>unavailable</c> (14).</summary>
    GrpcUnavailable = 1 << 15,

    /// <summary>Not a <c>retry_on</c> token: the outcome was a per-try timeout (retried by <c>5xx</c>, <c>gateway-error</c>, <c>reset</c>).</summary>
    PerTryTimeout = 1 << 20,

    /// <summary>The conditions whose failures prove the request never reached the server: safe for any method.</summary>
    NeverSent = ConnectFailure | RefusedStream | ResetBeforeRequest,

    /// <summary>The conditions a reset (no response) satisfies in Envoy's <c>wouldRetryFromReset</c>.</summary>
    AnyReset = FiveXx | GatewayError | Reset,
}
