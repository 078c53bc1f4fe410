namespace MeshClient.Configuration;

/// <summary>
/// How calls to a service are made (Istio <c>DestinationRule.trafficPolicy</c>). Later releases add
/// TLS settings here.
/// </summary>
public sealed class TrafficPolicyOptions
{
    /// <summary>Gets or sets the load-balancing settings.</summary>
    /// <value>Defaults to least request, as in Istio (Istio <c>loadBalancer</c>).</value>
    public LoadBalancerOptions LoadBalancer { get; set; } = new();

    /// <summary>Gets or sets the passive health settings: ejection of endpoints that keep failing.</summary>
    /// <value>Defaults to <see langword="null"/>: no outlier detection, as in Istio (<c>outlierDetection</c>).</value>
    public OutlierDetectionOptions? OutlierDetection { get; set; }

    /// <summary>Gets or sets the connection-pool limits (Envoy's circuit breakers) and connection settings.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: no limit, a 10 second connect timeout and a 1 hour idle
    /// timeout, as in Istio (<c>connectionPool</c>).
    /// </value>
    public ConnectionPoolOptions? ConnectionPool { get; set; }

    /// <summary>Gets or sets the TLS settings for connections to the service's endpoints.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: no TLS from the mesh, requests go out as the application sent
    /// them (Istio <c>tls</c>).
    /// </value>
    public TlsOptions? Tls { get; set; }

    /// <summary>Gets the per-port policies; one replaces <see cref="LoadBalancer"/>, <see cref="ConnectionPool"/>, <see cref="OutlierDetection"/> and <see cref="Tls"/> for its port.</summary>
    /// <value>Empty by default (Istio <c>portLevelSettings</c>).</value>
    public IList<PortTrafficPolicyOptions> PortLevelSettings { get; } = new List<PortTrafficPolicyOptions>();

    /// <summary>Gets or sets the limits on retries to the service's endpoints, all requests together.</summary>
    /// <value>Defaults to <see langword="null"/>: no budget, as in Istio (Istio <c>retryBudget</c>, plus MeshClient's token budget).</value>
    public RetryBudgetOptions? RetryBudget { get; set; }

    /// <summary>Gets or sets the PROXY protocol header sent first on each connection to the service's endpoints.</summary>
    /// <value>Defaults to <see langword="null"/>: none (Istio <c>proxyProtocol</c>). Not a port-level component.</value>
    public ProxyProtocolOptions? ProxyProtocol { get; set; }
}
