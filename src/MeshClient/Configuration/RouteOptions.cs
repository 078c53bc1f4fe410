namespace MeshClient.Configuration;

/// <summary>
/// How requests to a service are bounded: the settings of the route that an Istio
/// <c>VirtualService</c> gives the service's hosts (<c>http[]</c>), for a service without
/// <see cref="ExternalServiceOptions.Http"/> routes.
/// </summary>
public sealed class RouteOptions
{
    /// <summary>
    /// Gets or sets how long the mesh waits for the response to a request, across all its attempts
    /// (Istio <c>http[].timeout</c>). When it expires the pending attempt is cancelled and the caller
    /// gets Envoy's 504 <c>upstream request timeout</c> with flag <c>UT</c> (or a
    /// <see cref="MeshTimeoutException"/> in <see cref="MeshFailureMode.Throw"/> mode).
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: no timeout, as in Istio. At least 1 ms, in whole
    /// milliseconds. The mesh bounds the wait for the response headers; reading the body afterwards is
    /// bounded by <see cref="HttpClient.Timeout"/> and the caller's cancellation token.
    /// </value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how failed attempts are retried (or hedged) (Istio <c>http[].retries</c>).</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: <see cref="MeshOptions.DefaultRetryPolicy"/>, else Istio's default of 2 retries on
    /// <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c>.
    /// </value>
    public HttpRetryOptions? Retries { get; set; }
}
