namespace MeshClient.Configuration;

/// <summary>
/// A named group of a service's endpoints, chosen by labels, with its own traffic policy (an Istio
/// <c>DestinationRule.subsets[]</c> entry). A route sends to it with
/// <see cref="DestinationOptions.Subset"/>; it is its own cluster, <c>outbound|port|name|host</c>.
/// </summary>
public sealed class SubsetOptions
{
    /// <summary>Gets or sets the subset's name, unique within the service.</summary>
    /// <value>Required (Istio <c>subsets[].name</c>).</value>
    public string? Name { get; set; }

    /// <summary>
    /// Gets the labels an endpoint must carry (every one, with the same value) to belong to the
    /// subset; see <see cref="ServiceEndpointOptions.Labels"/>.
    /// </summary>
    /// <value>Empty by default: every endpoint (Istio <c>subsets[].labels</c>).</value>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the subset's traffic policy. Each component that it sets (load balancer, outlier
    /// detection) replaces the service's one as a whole, as in Istio; the others are inherited.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the service's policy (Istio <c>subsets[].trafficPolicy</c>).</value>
    public TrafficPolicyOptions? TrafficPolicy { get; set; }
}
