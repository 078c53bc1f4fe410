namespace MeshClient.Configuration;

/// <summary>How the endpoints of an external service are found (Istio <c>ServiceEntry.resolution</c>).</summary>
public enum ServiceResolution
{
    /// <summary>
    /// Send to the host the application asked for, resolved by the operating system; no load
    /// balancing (Istio <c>NONE</c>, the default).
    /// </summary>
    None = 0,

    /// <summary>Load-balance across the IP endpoints listed in the service (Istio <c>STATIC</c>).</summary>
    Static = 1,

    /// <summary>
    /// Resolve the endpoints (or the host, when there are none) by DNS, every address a separate
    /// endpoint, refreshed by TTL; an address that leaves the answer is drained (Istio <c>DNS</c>,
    /// Envoy <c>STRICT_DNS</c>). See <see cref="MeshOptions.Dns"/>.
    /// </summary>
    Dns = 2,

    /// <summary>
    /// Resolve by DNS and use one logical endpoint whose new connections go to the first address of
    /// the latest answer; existing connections are kept (Istio <c>DNS_ROUND_ROBIN</c>, Envoy
    /// <c>LOGICAL_DNS</c>). At most one endpoint.
    /// </summary>
    DnsRoundRobin = 3,

    /// <summary>
    /// Resolve the requested host at request time, cached by TTL, for wildcard hosts (Istio
    /// <c>DYNAMIC_DNS</c>, Envoy's dynamic forward proxy). No endpoints, no addresses.
    /// </summary>
    DynamicDns = 4,
}
