namespace MeshClient.Configuration;

/// <summary>TCP-level connection-pool settings (Istio <c>connectionPool.tcp</c>).</summary>
public sealed class TcpConnectionPoolOptions
{
    /// <summary>
    /// Gets or sets the most connections to the service; 0 means unlimited. An HTTP/1.1 request needs a
    /// connection of its own, so at most this many HTTP/1.1 requests are sent at once; the others wait
    /// for a connection, up to <see cref="HttpConnectionPoolOptions.Http1MaxPendingRequests"/>.
    /// </summary>
    /// <value>Defaults to 0, unlimited (Istio <c>maxConnections</c>; Envoy <c>max_connections</c> of 2^32−1).</value>
    /// <remarks>
    /// Each endpoint's pool also opens no more than this many connections. As with Envoy, idle
    /// connections kept by different endpoints may add up to more than the limit.
    /// </remarks>
    public int MaxConnections { get; set; }

    /// <summary>Gets or sets the TCP connect timeout.</summary>
    /// <value>Defaults to 10 seconds (Istio <c>connectTimeout</c>). At least 1 ms, in whole milliseconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = ConnectionPoolDefaults.ConnectTimeout;

    /// <summary>Gets or sets TCP keep-alive probes on the connections; <see langword="null"/> leaves the socket's defaults (off).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>tcpKeepalive</c>).</value>
    public TcpKeepaliveOptions? TcpKeepalive { get; set; }

    /// <summary>Gets or sets how long a connection is used before it is closed (once its requests end); <see langword="null"/> for no limit.</summary>
    /// <value>Defaults to <see langword="null"/>, no limit (Istio <c>maxConnectionDuration</c>). When set, at least 1 ms, in whole milliseconds.</value>
    public TimeSpan? MaxConnectionDuration { get; set; }

    /// <summary>Gets or sets how long a connection without requests stays open; <see cref="TimeSpan.Zero"/> keeps it open.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: <see cref="HttpConnectionPoolOptions.IdleTimeout"/> if set,
    /// otherwise 1 hour (Istio <c>tcp.idleTimeout</c>). When set, 0 or at least 1 ms, in whole milliseconds.
    /// </value>
    public TimeSpan? IdleTimeout { get; set; }
}
