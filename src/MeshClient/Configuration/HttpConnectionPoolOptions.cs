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
    /// Defaults to 0, unlimited (Istio <c>maxRequestsPerConnection</c>). MeshClient applies 1 (a new
    /// connection per request); a value above 1 is accepted but not applied (a warning says so).
    /// </value>
    public int MaxRequestsPerConnection { get; set; }

    /// <summary>Gets or sets the most retries in flight to the whole service at once; 0 means unlimited.</summary>
    /// <value>Defaults to 0, unlimited (Istio <c>maxRetries</c>; Envoy <c>max_retries</c>). A retry over the limit is not made (<c>UO</c>).</value>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets how long a connection without requests stays open; <see cref="TimeSpan.Zero"/> keeps it open.</summary>
    /// <value>Defaults to <see langword="null"/>: 1 hour (Istio <c>http.idleTimeout</c>). When set, 0 or at least 1 ms, in whole milliseconds.</value>
    public TimeSpan? IdleTimeout { get; set; }
}
