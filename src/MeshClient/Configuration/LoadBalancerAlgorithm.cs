namespace MeshClient.Configuration;

/// <summary>A simple load-balancing algorithm (Istio <c>loadBalancer.simple</c>).</summary>
public enum LoadBalancerAlgorithm
{
    /// <summary>
    /// Not set. Istio then uses <c>LEAST_REQUEST</c>; until least-request lands MeshClient uses
    /// weighted round robin (see docs/istio-conformance.md).
    /// </summary>
    Unspecified = 0,

    /// <summary>Weighted round robin across endpoints (Istio <c>ROUND_ROBIN</c>).</summary>
    RoundRobin,

    /// <summary>Power of two choices on active requests (Istio <c>LEAST_REQUEST</c>). Not supported yet.</summary>
    LeastRequest,

    /// <summary>Uniform random choice (Istio <c>RANDOM</c>). Not supported yet.</summary>
    Random,

    /// <summary>Send to the address the application asked for (Istio <c>PASSTHROUGH</c>). Not supported yet.</summary>
    Passthrough,
}
