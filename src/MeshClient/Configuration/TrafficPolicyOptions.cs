namespace MeshClient.Configuration;

/// <summary>
/// How calls to a service are made (Istio <c>DestinationRule.trafficPolicy</c>). Later releases add
/// connection-pool and TLS settings here.
/// </summary>
public sealed class TrafficPolicyOptions
{
    /// <summary>Gets or sets the load-balancing settings.</summary>
    /// <value>Defaults to least request, as in Istio (Istio <c>loadBalancer</c>).</value>
    public LoadBalancerOptions LoadBalancer { get; set; } = new();

    /// <summary>Gets or sets the passive health settings: ejection of endpoints that keep failing.</summary>
    /// <value>Defaults to <see langword="null"/>: no outlier detection, as in Istio (<c>outlierDetection</c>).</value>
    public OutlierDetectionOptions? OutlierDetection { get; set; }

    /// <summary>Gets or sets the limits on retries to the service's endpoints, all requests together.</summary>
    /// <value>Defaults to <see langword="null"/>: no budget, as in Istio (Istio <c>retryBudget</c>, plus MeshClient's token budget).</value>
    public RetryBudgetOptions? RetryBudget { get; set; }
}
