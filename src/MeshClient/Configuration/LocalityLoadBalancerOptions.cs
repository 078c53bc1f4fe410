namespace MeshClient.Configuration;

/// <summary>
/// Locality-aware load balancing of a service (Istio <c>trafficPolicy.loadBalancer.localityLbSetting</c>):
/// prefer the endpoints nearest to the client's <see cref="MeshOptions.Locality"/>, spilling to farther
/// ones as the near ones become unhealthy (<see cref="Failover"/>, <see cref="FailoverPriority"/>), or
/// split the traffic between localities by fixed weights (<see cref="Distribute"/>).
/// </summary>
/// <remarks>
/// <para>
/// As in Istio, failover (the default when this block is absent or empty) takes effect only when the
/// service has <see cref="TrafficPolicyOptions.OutlierDetection"/>: without it nothing marks an
/// endpoint unhealthy, so Istio leaves every endpoint at one priority. <see cref="Distribute"/> applies
/// without outlier detection. <see cref="Distribute"/> and <see cref="Failover"/> are mutually exclusive.
/// </para>
/// <para>
/// Outside Kubernetes there is no automatic locality: set <see cref="MeshOptions.Locality"/>. See
/// <c>docs/load-balancing.md</c>.
/// </para>
/// </remarks>
public sealed class LocalityLoadBalancerOptions
{
    /// <summary>Gets or sets whether locality load balancing is on.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>, on (Istio <c>enabled</c>; the mesh default is on). <see langword="false"/>
    /// turns it off for this service: every endpoint at one priority, whatever its locality.
    /// </value>
    public bool? Enabled { get; set; }

    /// <summary>Gets the weighted split between localities, per client locality (Istio <c>distribute</c>).</summary>
    /// <value>Empty by default. The first entry whose <see cref="LocalityDistributeOptions.From"/> matches the client's locality applies.</value>
    public IList<LocalityDistributeOptions> Distribute { get; } = new List<LocalityDistributeOptions>();

    /// <summary>Gets the region to fail over to, per client region (Istio <c>failover</c>).</summary>
    /// <value>Empty by default: endpoints in other regions are the last priority, all together.</value>
    public IList<LocalityFailoverOptions> Failover { get; } = new List<LocalityFailoverOptions>();

    /// <summary>
    /// Gets the labels that order failover (Istio <c>failoverPriority</c>): endpoints whose values of all
    /// the labels equal the client's (<see cref="MeshOptions.Labels"/>) come first, then those that match
    /// all but the last, and so on. <c>label=value</c> compares with that value instead of the client's.
    /// </summary>
    /// <value>Empty by default.</value>
    public IList<string> FailoverPriority { get; } = new List<string>();
}
