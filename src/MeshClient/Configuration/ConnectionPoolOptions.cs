namespace MeshClient.Configuration;

/// <summary>
/// Limits and connection settings of a service's connection pools (Istio
/// <c>trafficPolicy.connectionPool</c>, Envoy's circuit breakers and cluster connection options).
/// Every limit is unlimited unless set, as in Istio.
/// </summary>
/// <remarks>
/// A request over a limit fails at once, without being sent or queued: 503 with
/// <c>x-envoy-overloaded: true</c> and the flag <c>UO</c> (<see cref="MeshResponseFlags.UpstreamOverflow"/>),
/// or <see cref="MeshUpstreamException"/> in <see cref="MeshFailureMode.Throw"/> mode. Overflow never
/// counts against an endpoint's health. See <c>docs/connection-pool.md</c>.
/// </remarks>
public sealed class ConnectionPoolOptions
{
    /// <summary>Gets or sets the TCP-level settings: connection limit, connect timeout, keep-alive, lifetime and idle time.</summary>
    /// <value>Defaults to no limit, a 10 second connect timeout and a 1 hour idle timeout (Istio <c>connectionPool.tcp</c>).</value>
    public TcpConnectionPoolOptions Tcp { get; set; } = new();

    /// <summary>Gets or sets the HTTP-level settings: pending and active request limits, requests per connection, concurrent retries.</summary>
    /// <value>Defaults to no limit (Istio <c>connectionPool.http</c>).</value>
    public HttpConnectionPoolOptions Http { get; set; } = new();

    /// <summary>Gets or sets what the limits bound: the whole service (every endpoint together) or each endpoint.</summary>
    /// <value>
    /// Defaults to <see cref="ConnectionPoolScope.Cluster"/>: as in Envoy, the limits are counted across
    /// every endpoint of the service and port (a MeshClient extension; Istio has no field for it).
    /// </value>
    /// <remarks><see cref="HttpConnectionPoolOptions.MaxRetries"/> is always counted for the whole service.</remarks>
    public ConnectionPoolScope Scope { get; set; } = ConnectionPoolScope.Cluster;
}
