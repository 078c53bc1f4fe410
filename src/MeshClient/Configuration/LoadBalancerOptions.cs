namespace MeshClient.Configuration;

/// <summary>Load-balancing settings of a service (Istio <c>trafficPolicy.loadBalancer</c>).</summary>
public sealed class LoadBalancerOptions
{
    /// <summary>Gets or sets the algorithm.</summary>
    /// <value>
    /// Defaults to <see cref="LoadBalancerAlgorithm.Unspecified"/>, run as weighted round robin
    /// (Istio <c>simple</c>).
    /// </value>
    public LoadBalancerAlgorithm Simple { get; set; }
}
