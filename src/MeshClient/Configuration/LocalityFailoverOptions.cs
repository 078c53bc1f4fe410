namespace MeshClient.Configuration;

/// <summary>One entry of <see cref="LocalityLoadBalancerOptions.Failover"/> (Istio <c>localityLbSetting.failover[]</c>).</summary>
public sealed class LocalityFailoverOptions
{
    /// <summary>Gets or sets the client's region this entry applies to (Istio <c>from</c>).</summary>
    /// <value>Required; a region only, without <c>/</c> or <c>*</c>.</value>
    public string? From { get; set; }

    /// <summary>
    /// Gets or sets the region to fail over to once the client's region has no healthy endpoint left
    /// (Istio <c>to</c>); endpoints in the other regions come after it.
    /// </summary>
    /// <value>Required; a region only, different from <see cref="From"/>.</value>
    public string? To { get; set; }
}
