namespace MeshClient.Configuration;

/// <summary>
/// How calls to a service are made (Istio <c>DestinationRule.trafficPolicy</c>). Later releases add
/// connection-pool, outlier-detection and TLS settings here.
/// </summary>
public sealed class TrafficPolicyOptions
{
    /// <summary>Gets or sets the load-balancing settings.</summary>
    /// <value>Defaults to least request, as in Istio (Istio <c>loadBalancer</c>).</value>
    public LoadBalancerOptions LoadBalancer { get; set; } = new();
}
