namespace MeshClient.Configuration;

/// <summary>One entry of <see cref="LocalityLoadBalancerOptions.Distribute"/> (Istio <c>localityLbSetting.distribute[]</c>).</summary>
public sealed class LocalityDistributeOptions
{
    /// <summary>Gets or sets the client locality this entry applies to: <c>region/zone/subzone</c>, a trailing <c>*</c> matching anything.</summary>
    /// <value>Required (Istio <c>from</c>), for example <c>us-west/zone1/*</c>.</value>
    public string? From { get; set; }

    /// <summary>
    /// Gets the share of the traffic, in percent, each endpoint locality gets (Istio <c>to</c>); the
    /// weights are 1-100 and add up to 100. Localities that no key matches get no traffic.
    /// </summary>
    /// <value>Empty by default.</value>
    public IDictionary<string, int> To { get; } = new Dictionary<string, int>(StringComparer.Ordinal);
}
