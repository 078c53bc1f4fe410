namespace MeshClient.Configuration;

/// <summary>
/// One HTTP route of a service (an Istio <c>VirtualService.http[]</c> entry): the conditions a
/// request must meet, then what happens to it — sent to weighted destinations (with rewrites and
/// header operations), redirected, or answered directly. Routes are tried in order; the first that
/// matches wins.
/// </summary>
public sealed class HttpRouteOptions
{
    /// <summary>Gets or sets the route's name, for logs and results.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>name</c>).</value>
    public string? Name { get; set; }

    /// <summary>
    /// Gets or sets where the route was defined, such as <c>mesh/vs.yaml:3:1</c>. A configuration source
    /// that sets it has checked the route's references to other services itself.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (set by configuration sources).</value>
    public string? Source { get; set; }

    /// <summary>Gets the condition blocks; the route matches when any block does, or always when there are none.</summary>
    /// <value>Empty by default: every request (Istio <c>match</c>).</value>
    public IList<HttpMatchOptions> Match { get; } = new List<HttpMatchOptions>();

    /// <summary>Gets the weighted destinations. Exactly one of these, <see cref="Redirect"/> or <see cref="DirectResponse"/> is required.</summary>
    /// <value>Empty by default (Istio <c>route</c>).</value>
    public IList<HttpRouteDestinationOptions> Route { get; } = new List<HttpRouteDestinationOptions>();

    /// <summary>Gets or sets a redirect answered in process.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>redirect</c>).</value>
    public HttpRedirectOptions? Redirect { get; set; }

    /// <summary>Gets or sets a response answered in process.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>directResponse</c>).</value>
    public HttpDirectResponseOptions? DirectResponse { get; set; }

    /// <summary>Gets or sets the path and authority rewrite.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>rewrite</c>).</value>
    public HttpRewriteOptions? Rewrite { get; set; }

    /// <summary>Gets or sets header operations for every request of the route.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>headers</c>).</value>
    public HeadersOptions? Headers { get; set; }

    /// <summary>Gets or sets faults to inject (delays, aborts) for testing.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>fault</c>). A route with a fault gets no timeout, as in Istio.</value>
    public HttpFaultInjectionOptions? Fault { get; set; }

    /// <summary>
    /// Gets or sets the destination that receives a fire-and-forget copy of the requests (Istio
    /// <c>mirror</c>); its answer is discarded and never delays or changes the caller's.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>. Not with <see cref="Mirrors"/>.</value>
    public DestinationOptions? Mirror { get; set; }

    /// <summary>Gets or sets the percentage of requests <see cref="Mirror"/> copies, 0 to 100.</summary>
    /// <value>Defaults to <see langword="null"/>: every request (Istio <c>mirrorPercentage.value</c>).</value>
    public double? MirrorPercentage { get; set; }

    /// <summary>Gets the mirrors, each with its own percentage (Istio <c>mirrors</c>).</summary>
    /// <value>Empty by default.</value>
    public IList<HttpMirrorPolicyOptions> Mirrors { get; } = new List<HttpMirrorPolicyOptions>();

    /// <summary>
    /// Gets or sets how long the mesh waits for the response, across all attempts (see
    /// <see cref="RouteOptions.Timeout"/>).
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/> (Istio <c>timeout</c>): <see cref="MeshOptions.DefaultTimeout"/>
    /// when the mesh manages client timeouts, else none. At least 1 ms, in whole milliseconds.
    /// </value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how failed attempts are retried (or hedged).</summary>
    /// <value>
    /// Defaults to <see langword="null"/> (Istio <c>retries</c>): <see cref="MeshOptions.DefaultRetryPolicy"/>, else
    /// Istio's default of 2 retries on <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c>.
    /// </value>
    public HttpRetryOptions? Retries { get; set; }
}
