namespace MeshClient.Configuration;

/// <summary>
/// How requests to a service are bounded: the settings of the route that an Istio
/// <c>VirtualService</c> gives the service's hosts (<c>http[]</c>). Later releases add matching,
/// retries and fault injection here.
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
}
