using MeshClient.Configuration;

namespace MeshClient.Connections;

/// <summary>
/// The settings of a cluster's connection pools (Istio <c>connectionPool</c>, the connection part).
/// They live with the cluster's state: when a reload changes them, every endpoint gets a new pool
/// built with them, and attempts in flight finish on the old pool, which closes when its last attempt ends.
/// </summary>
/// <remarks>Connection-pool settings and TLS (<see cref="Tls"/>); compared by value.</remarks>
internal sealed record WireSettings
{
    /// <summary>Istio's default <c>connectTimeout</c> (MeshConfig), 10 seconds.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = ConnectionPoolDefaults.ConnectTimeout;

    public static WireSettings Default { get; } = new();

    /// <summary>The TCP connect timeout (Istio <c>connectionPool.tcp.connectTimeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// TLS to the endpoints (Istio <c>trafficPolicy.tls</c> or <c>portLevelSettings[].tls</c>), or
    /// <see langword="null"/> when the mesh leaves TLS to the application (no <c>tls</c>, or DISABLE).
    /// </summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>The most connections each endpoint's pool opens (Istio <c>tcp.maxConnections</c>); 0 for no limit.</summary>
    public int MaxConnectionsPerEndpoint { get; init; }

    /// <summary>How long a connection is used (Istio <c>tcp.maxConnectionDuration</c>); <see langword="null"/> for no limit.</summary>
    public TimeSpan? MaxConnectionDuration { get; init; }

    /// <summary>How long an idle connection stays open (Istio <c>http.idleTimeout</c>, else <c>tcp.idleTimeout</c>); <see cref="TimeSpan.Zero"/> for ever.</summary>
    public TimeSpan IdleTimeout { get; init; } = ConnectionPoolDefaults.IdleTimeout;

    /// <summary>Whether each connection carries one request only (Istio <c>http.maxRequestsPerConnection: 1</c>).</summary>
    public bool OneRequestPerConnection { get; init; }

    /// <summary>How many requests an HTTP/1.1 connection carries before it is closed (Istio <c>http.maxRequestsPerConnection</c> above 1); 0 for no limit.</summary>
    public int MaxRequestsPerConnection { get; init; }

    /// <summary>TCP keep-alive on the sockets (Istio <c>tcp.tcpKeepalive</c>), or <see langword="null"/> to leave the socket's default (off).</summary>
    public TcpKeepalive? Keepalive { get; init; }

    /// <summary>Whether every request goes to the endpoints as HTTP/2 (Istio <c>http.h2UpgradePolicy: UPGRADE</c> without <c>useClientProtocol</c>).</summary>
    public bool Http2Upgrade { get; init; }

    /// <summary>HTTP/2 PINGs (Istio <c>http.http2KeepAlive</c>), or <see langword="null"/> for none.</summary>
    public Http2Ping? Http2KeepAlive { get; init; }

    /// <summary>The egress proxy every connection goes through (<see cref="MeshOptions.EgressProxy"/>, <see cref="ExternalServiceOptions.EgressProxy"/>), or <see langword="null"/> for none.</summary>
    public ProxySettings? Proxy { get; init; }

    /// <summary>The PROXY protocol header each connection sends first (<see cref="TrafficPolicyOptions.ProxyProtocol"/>), or <see langword="null"/>.</summary>
    public ProxyProtocolVersion? ProxyProtocol { get; init; }

    /// <summary>The wire settings of validated <paramref name="options"/>.</summary>
    public static WireSettings From(ConnectionPoolOptions? options, ProxyProtocolOptions? proxyProtocol)
    {
        var wire = From(options);
        return proxyProtocol is null ? wire : wire with { ProxyProtocol = proxyProtocol.Version };
    }

    public static WireSettings From(ConnectionPoolOptions? options)
    {
        if (options is null)
        {
            return Default;
        }

        var tcp = options.Tcp ?? new TcpConnectionPoolOptions();
        var http = options.Http ?? new HttpConnectionPoolOptions();
        var wire = new WireSettings
        {
            ConnectTimeout = tcp.ConnectTimeout,
            MaxConnectionsPerEndpoint = tcp.MaxConnections,
            MaxConnectionDuration = tcp.MaxConnectionDuration,
            IdleTimeout = http.IdleTimeout ?? tcp.IdleTimeout ?? ConnectionPoolDefaults.IdleTimeout,
            OneRequestPerConnection = http.MaxRequestsPerConnection == 1,
            MaxRequestsPerConnection = http.MaxRequestsPerConnection > 1 ? http.MaxRequestsPerConnection : 0,
            Keepalive = tcp.TcpKeepalive is { } keepalive
                ? new TcpKeepalive(keepalive.Probes, Seconds(keepalive.Time), Seconds(keepalive.Interval))
                : null,
            Http2Upgrade = http.H2UpgradePolicy == H2UpgradePolicy.Upgrade && !http.UseClientProtocol,
            Http2KeepAlive = http.Http2KeepAlive is { Interval: { } interval } ping ? new Http2Ping(interval, ping.Timeout) : null,
        };
        return wire == Default ? Default : wire;
    }

    private static int? Seconds(TimeSpan? value) => value is { } time ? (int)Math.Min(time.TotalSeconds, int.MaxValue) : null;

    /// <summary>HTTP/2 PING keep-alive: a PING after <paramref name="Interval"/> of silence, answered within <paramref name="Timeout"/> (.NET's 20 s when <see langword="null"/>).</summary>
    internal sealed record Http2Ping(TimeSpan Interval, TimeSpan? Timeout);

    /// <summary>Keep-alive probes: <c>SO_KEEPALIVE</c> on, and the values set (whole seconds); the others stay the system's.</summary>
    internal sealed record TcpKeepalive(int? Probes, int? TimeSeconds, int? IntervalSeconds);
}
