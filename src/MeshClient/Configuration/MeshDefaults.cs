namespace MeshClient.Configuration;

/// <summary>The mesh-wide defaults, in one place.</summary>
internal static class MeshDefaults
{
    /// <summary><see cref="HttpClient.Timeout"/>'s default: what a client without the mesh waits for.</summary>
    public static readonly TimeSpan HttpClientTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The default of <see cref="MeshOptions.MaxConcurrentMirrors"/>.</summary>
    public const int MaxConcurrentMirrors = 64;

    /// <summary>The default of <see cref="MeshOptions.MaxMirroredBodyBytes"/>: 1 MiB.</summary>
    public const int MaxMirroredBodyBytes = 1024 * 1024;

    /// <summary>How often TLS certificate files are checked for rotation.</summary>
    public static readonly TimeSpan CertificateRefreshInterval = TimeSpan.FromSeconds(10);

    /// <summary>Istio's MeshConfig <c>dnsRefreshRate</c> default.</summary>
    public static readonly TimeSpan DnsRefreshRate = TimeSpan.FromSeconds(60);

    /// <summary>Envoy's <c>dns_min_refresh_rate</c> default.</summary>
    public static readonly TimeSpan DnsMinRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>Istio's <c>PILOT_DNS_JITTER_DURATION</c> default.</summary>
    public static readonly TimeSpan DnsJitter = TimeSpan.FromMilliseconds(100);

    /// <summary>Envoy's <c>dns_query_timeout</c> default.</summary>
    public static readonly TimeSpan DnsQueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Envoy's dynamic forward proxy <c>max_hosts</c> default.</summary>
    public const int DnsMaxDynamicHosts = 1024;
}
