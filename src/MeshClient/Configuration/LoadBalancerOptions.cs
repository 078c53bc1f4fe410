namespace MeshClient.Configuration;

/// <summary>Load-balancing settings of a service (Istio <c>trafficPolicy.loadBalancer</c>).</summary>
/// <remarks>
/// Either <see cref="Simple"/> or <see cref="ConsistentHash"/> chooses the policy, as in Istio
/// (setting both is an error). The per-policy settings (<see cref="LeastRequest"/>,
/// <see cref="PeakEwma"/>) are used only by their policy.
/// </remarks>
public sealed class LoadBalancerOptions
{
    /// <summary>Gets or sets the algorithm.</summary>
    /// <value>
    /// Defaults to <see cref="LoadBalancerAlgorithm.Unspecified"/>, which runs
    /// <see cref="LoadBalancerAlgorithm.LeastRequest"/> as Istio does (Istio <c>simple</c>).
    /// </value>
    public LoadBalancerAlgorithm Simple { get; set; }

    /// <summary>Gets or sets the consistent-hash (session affinity) policy.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: no affinity (Istio <c>consistentHash</c>). When set,
    /// <see cref="Simple"/> must stay unset.
    /// </value>
    public ConsistentHashOptions? ConsistentHash { get; set; }

    /// <summary>Gets or sets the tuning of least request (Envoy's <c>least_request_lb_config</c>, which Istio does not expose).</summary>
    /// <value>Defaults to two choices and an active-request bias of 1.0.</value>
    public LeastRequestOptions LeastRequest { get; set; } = new();

    /// <summary>Gets or sets the tuning of <see cref="LoadBalancerAlgorithm.PeakEwma"/> (a MeshClient extension).</summary>
    /// <value>Defaults to a decay of 10 seconds and a default round-trip time of 30 milliseconds (Linkerd's).</value>
    public PeakEwmaOptions PeakEwma { get; set; } = new();

    /// <summary>Gets or sets slow start for endpoints that join the service (round robin and least request only).</summary>
    /// <value>Defaults to <see langword="null"/>, off (Istio <c>warmup</c>, or the older <c>warmupDurationSecs</c>).</value>
    public WarmupOptions? Warmup { get; set; }

    /// <summary>Gets or sets locality-aware load balancing (failover between localities, or a weighted split).</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: Istio's mesh default, failover by locality when the service has
    /// outlier detection and <see cref="MeshOptions.Locality"/> or endpoint localities are set
    /// (Istio <c>localityLbSetting</c>).
    /// </value>
    public LocalityLoadBalancerOptions? LocalityLbSetting { get; set; }
}
