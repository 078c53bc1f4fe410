namespace MeshClient.Configuration;

/// <summary>What the limits of <see cref="ConnectionPoolOptions"/> are counted over.</summary>
public enum ConnectionPoolScope
{
    /// <summary>
    /// Across every endpoint of the service and port together, as Envoy's circuit breakers (which
    /// Istio's <c>maxConnections</c> configures) count them. The default.
    /// </summary>
    Cluster = 0,

    /// <summary>For each endpoint on its own (what istio/istio#42490 asks for): each endpoint gets the full limits.</summary>
    Endpoint = 1,
}
