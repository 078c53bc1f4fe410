namespace MeshClient.Configuration;

/// <summary>
/// What happens to a request whose host is not declared by any external service
/// (Istio <c>outboundTrafficPolicy.mode</c>).
/// </summary>
public enum OutboundTrafficPolicy
{
    /// <summary>
    /// Unknown hosts pass through untouched, with no retries and no timeout, like Istio's
    /// <c>PassthroughCluster</c> (Istio <c>ALLOW_ANY</c>, the default).
    /// </summary>
    AllowAny = 0,

    /// <summary>
    /// Unknown hosts are blocked: the request ends with an Envoy-compatible 502 (flag <c>NR</c>)
    /// that names the blocked host (Istio <c>REGISTRY_ONLY</c>).
    /// </summary>
    RegistryOnly = 1,
}
