namespace MeshClient.Configuration;

/// <summary>HTTP-level connection-pool settings (Istio <c>connectionPool.http</c>).</summary>
public sealed class HttpConnectionPoolOptions
{
    /// <summary>
    /// Gets or sets the most requests that may wait for a connection (when
    /// <see cref="TcpConnectionPoolOptions.MaxConnections"/> are all busy); 0 means unlimited. One more
    /// fails at once with 503 <c>UO</c>.
    /// </summary>
    /// <value>Defaults to 0, unlimited (Istio <c>http1MaxPendingRequests</c>; Envoy <c>max_pending_requests</c>).</value>
    public int Http1MaxPendingRequests { get; set; }

    /// <summary>
    /// Gets or sets the most requests in flight to the service (sent, or waiting for a connection), for
    /// any HTTP version; 0 means unlimited. One more fails at once with 503 <c>UO</c>.
    /// </summary>
    /// <value>Defaults to 0, unlimited (Istio <c>http2MaxRequests</c>; Envoy <c>max_requests</c>).</value>
    public int Http2MaxRequests { get; set; }

    /// <summary>Gets or sets how many requests a connection carries before it is closed; 0 means unlimited, 1 disables keep-alive.</summary>
    /// <value>
    /// Defaults to 0, unlimited (Istio <c>maxRequestsPerConnection</c>). 1 opens a new connection per
    /// request; a value above 1 closes each HTTP/1.1 connection after that many requests (HTTP/2
    /// connections are not counted).
    /// </value>
    public int MaxRequestsPerConnection { get; set; }

    /// <summary>Gets or sets the most retries in flight to the whole service at once; 0 means unlimited.</summary>
    /// <value>Defaults to 0, unlimited (Istio <c>maxRetries</c>; Envoy <c>max_retries</c>). A retry over the limit is not made (<c>UO</c>).</value>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets how long a connection without requests stays open; <see cref="TimeSpan.Zero"/> keeps it open.</summary>
    /// <value>Defaults to <see langword="null"/>: 1 hour (Istio <c>http.idleTimeout</c>). When set, 0 or at least 1 ms, in whole milliseconds.</value>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Gets or sets whether requests are sent to the endpoints as HTTP/2 whatever version they ask for.</summary>
    /// <value>
    /// Defaults to <see cref="H2UpgradePolicy.Default"/>: the request's own version (Istio <c>h2UpgradePolicy</c>).
    /// <see cref="H2UpgradePolicy.Upgrade"/> sends HTTP/2 (h2c prior knowledge to <c>http://</c> endpoints).
    /// </value>
    public H2UpgradePolicy H2UpgradePolicy { get; set; }

    /// <summary>Gets or sets whether the request's own HTTP version is sent, whatever <see cref="H2UpgradePolicy"/> says.</summary>
    /// <value>Defaults to <see langword="false"/> (Istio <c>useClientProtocol</c>). Must not be <see langword="true"/> with <see cref="H2UpgradePolicy.Upgrade"/>.</value>
    public bool UseClientProtocol { get; set; }

    /// <summary>Gets or sets HTTP/2 PING keep-alive on the connections; <see langword="null"/> sends no PINGs.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>http2KeepAlive</c>).</value>
    public Http2KeepAliveOptions? Http2KeepAlive { get; set; }
}
