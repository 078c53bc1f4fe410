namespace MeshClient.Configuration;

/// <summary>
/// How the mesh resolves the endpoints of services with resolution <see cref="ServiceResolution.Dns"/>,
/// <see cref="ServiceResolution.DnsRoundRobin"/> and <see cref="ServiceResolution.DynamicDns"/>
/// (<c>Mesh:Dns</c> in configuration). The defaults are Istio's: refresh by record TTL, every
/// <see cref="RefreshRate"/> (60 seconds) when the TTL is 0 or a lookup fails, IPv4 only.
/// </summary>
public sealed class DnsOptions
{
    /// <summary>
    /// Gets the name servers to query, each <c>address</c> or <c>address:port</c> (<c>10.0.0.2</c>,
    /// <c>127.0.0.1:5353</c>, <c>[::1]:53</c>). Empty means the system's name servers.
    /// </summary>
    /// <value>Empty by default: the name servers of the operating system (<c>/etc/resolv.conf</c>, or the network adapters).</value>
    public IList<string> NameServers { get; } = new List<string>();

    /// <summary>
    /// Gets or sets how often a name is resolved again when its records carry a TTL of 0 (or
    /// <see cref="RespectTtl"/> is off), and the longest wait between retries after a failed lookup
    /// (Istio's MeshConfig <c>dnsRefreshRate</c>, Envoy's <c>dns_refresh_rate</c>).
    /// </summary>
    /// <value>Defaults to 60 seconds (Istio's default); at least 1 ms, in whole milliseconds.</value>
    public TimeSpan RefreshRate { get; set; } = MeshDefaults.DnsRefreshRate;

    /// <summary>
    /// Gets or sets whether a name is resolved again when its records expire (Envoy's
    /// <c>respect_dns_ttl</c>, which Istio turns on): the minimum TTL of the answer for
    /// <see cref="ServiceResolution.Dns"/>, the first record's for <see cref="ServiceResolution.DnsRoundRobin"/>.
    /// </summary>
    /// <value>Defaults to <see langword="true"/>, as Istio.</value>
    public bool RespectTtl { get; set; } = true;

    /// <summary>
    /// Gets or sets the shortest interval between two resolutions of a name, whatever its TTL (Envoy's
    /// <c>dns_min_refresh_rate</c>); also the first delay of the back-off after a failed lookup.
    /// </summary>
    /// <value>Defaults to 5 seconds (Envoy's default); at least 1 ms, in whole milliseconds, and not more than <see cref="RefreshRate"/>.</value>
    public TimeSpan MinRefreshInterval { get; set; } = MeshDefaults.DnsMinRefreshInterval;

    /// <summary>Gets or sets the longest interval between two resolutions of a name, whatever its TTL.</summary>
    /// <value>Defaults to <see langword="null"/>: no bound (as Envoy). At least <see cref="MinRefreshInterval"/> when set.</value>
    public TimeSpan? MaxRefreshInterval { get; set; }

    /// <summary>
    /// Gets or sets the random delay, between 0 and this value, added to every refresh so that the
    /// clusters of many clients do not query at once (Istio's <c>PILOT_DNS_JITTER_DURATION</c>).
    /// </summary>
    /// <value>Defaults to 100 ms, as Istio; <see cref="TimeSpan.Zero"/> turns jitter off.</value>
    public TimeSpan Jitter { get; set; } = MeshDefaults.DnsJitter;

    /// <summary>Gets or sets which address families are asked for.</summary>
    /// <value>Defaults to <see cref="DnsLookupFamily.V4Only"/>, as Istio for a proxy that is not dual stack.</value>
    public DnsLookupFamily LookupFamily { get; set; }

    /// <summary>Gets or sets how long one query waits for the name server's answer.</summary>
    /// <value>Defaults to 5 seconds (Envoy's <c>dns_query_timeout</c>); at least 1 ms, in whole milliseconds.</value>
    public TimeSpan QueryTimeout { get; set; } = MeshDefaults.DnsQueryTimeout;

    /// <summary>
    /// Gets or sets how long a request waits for the very first resolution of its service's endpoints
    /// (later refreshes never delay requests). A request that waited in vain gets 503 with Envoy's
    /// flag <c>DF</c> (DNS resolution failed).
    /// </summary>
    /// <value>Defaults to 5 seconds; at least 1 ms, in whole milliseconds.</value>
    public TimeSpan FirstResolutionTimeout { get; set; } = MeshDefaults.DnsQueryTimeout;

    /// <summary>
    /// Gets or sets how many requested host names a <see cref="ServiceResolution.DynamicDns"/> service
    /// keeps resolved (the least recently used one is forgotten first; Envoy's
    /// <c>dns_cache_config.max_hosts</c>).
    /// </summary>
    /// <value>Defaults to 1024 (Envoy's default); at least 1.</value>
    public int MaxDynamicHosts { get; set; } = MeshDefaults.DnsMaxDynamicHosts;
}

/// <summary>Which address records a DNS lookup asks for (Envoy's <c>dns_lookup_family</c>).</summary>
public enum DnsLookupFamily
{
    /// <summary>A records only (Envoy <c>V4_ONLY</c>, Istio's choice unless the proxy is IPv6-only or dual stack).</summary>
    V4Only = 0,

    /// <summary>AAAA records only (Envoy <c>V6_ONLY</c>).</summary>
    V6Only = 1,

    /// <summary>A and AAAA records, every address an endpoint (Envoy <c>ALL</c>, dual stack).</summary>
    All = 2,
}
