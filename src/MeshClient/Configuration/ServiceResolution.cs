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
    /// Resolve the endpoints (or the host) by DNS, every address a separate endpoint
    /// (Istio <c>DNS</c>). Not supported yet: rejected by validation.
    /// </summary>
    Dns = 2,

    /// <summary>
    /// Resolve by DNS and use one logical endpoint (Istio <c>DNS_ROUND_ROBIN</c>).
    /// Not supported yet: rejected by validation.
    /// </summary>
    DnsRoundRobin = 3,

    /// <summary>
    /// Resolve the requested host at request time, for wildcard hosts (Istio <c>DYNAMIC_DNS</c>).
    /// Not supported yet: rejected by validation.
    /// </summary>
    DynamicDns = 4,
}
