namespace MeshClient.Configuration;

/// <summary>
/// Faults injected into a route's requests, for testing how the application copes (Istio
/// <c>HTTPFaultInjection</c>): a delay before the request is sent, an abort that answers it in place
/// of the service, or both, each for a share of the requests. As in Istio, a route with a fault gets
/// no timeout (and no retries).
/// </summary>
public sealed class HttpFaultInjectionOptions
{
    /// <summary>Gets or sets the delay to inject.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>delay</c>).</value>
    public HttpFaultDelayOptions? Delay { get; set; }

    /// <summary>Gets or sets the abort to inject.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>abort</c>).</value>
    public HttpFaultAbortOptions? Abort { get; set; }
}
