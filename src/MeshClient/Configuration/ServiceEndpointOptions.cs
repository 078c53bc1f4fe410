namespace MeshClient.Configuration;

/// <summary>One endpoint of an external service (Istio <c>ServiceEntry.endpoints[]</c>, a WorkloadEntry).</summary>
public sealed class ServiceEndpointOptions
{
    /// <summary>Creates an empty endpoint; set <see cref="Address"/>.</summary>
    public ServiceEndpointOptions()
    {
    }

    /// <summary>Creates an endpoint.</summary>
    /// <param name="address">The IP address of the endpoint, or its host name for the DNS resolutions.</param>
    /// <param name="weight">The load-balancing weight; 0 means 1.</param>
    public ServiceEndpointOptions(string address, int weight = 0)
    {
        Address = address;
        Weight = weight;
    }

    /// <summary>
    /// Gets or sets the address: an IP address for <see cref="ServiceResolution.Static"/>; an IP address
    /// or a host name (resolved by DNS) for <see cref="ServiceResolution.Dns"/> and <see cref="ServiceResolution.DnsRoundRobin"/>.
    /// </summary>
    /// <value>Required (Istio <c>address</c>).</value>
    public string? Address { get; set; }

    /// <summary>
    /// Gets the endpoint's own port numbers by service port name; they override
    /// <see cref="ServicePortOptions.TargetPort"/> and <see cref="ServicePortOptions.Number"/>.
    /// </summary>
    /// <value>Empty by default (Istio <c>ports</c>).</value>
    public IDictionary<string, int> Ports { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Gets the labels of the endpoint, used by destination-rule subsets.</summary>
    /// <value>Empty by default (Istio <c>labels</c>).</value>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the network the endpoint is on.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>network</c>).</value>
    public string? Network { get; set; }

    /// <summary>Gets or sets the locality, <c>region/zone/subzone</c>.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>locality</c>).</value>
    public string? Locality { get; set; }

    /// <summary>Gets or sets the load-balancing weight, relative to the other endpoints.</summary>
    /// <value>Defaults to 0, which means 1 (Istio <c>weight</c>).</value>
    public int Weight { get; set; }

    /// <summary>Gets or sets the service account of the endpoint.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>serviceAccount</c>).</value>
    public string? ServiceAccount { get; set; }
}
