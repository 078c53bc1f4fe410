namespace MeshClient.Configuration;

/// <summary>Where a route sends requests: a service host, optionally a subset and a port (Istio <c>Destination</c>).</summary>
public sealed class DestinationOptions
{
    /// <summary>
    /// Gets or sets the destination host: a host of this or another registered external service.
    /// The request keeps its own URI and <c>Host</c> header (as in Envoy); only the endpoints change.
    /// </summary>
    /// <value>Required (Istio <c>host</c>).</value>
    public string? Host { get; set; }

    /// <summary>Gets or sets the subset of the destination service (<see cref="ExternalServiceOptions.Subsets"/>).</summary>
    /// <value>Defaults to <see langword="null"/>: every endpoint (Istio <c>subset</c>).</value>
    public string? Subset { get; set; }

    /// <summary>Gets or sets the destination service's port.</summary>
    /// <value>
    /// Defaults to <see langword="null"/> (Istio <c>port</c>): the request's port when the
    /// destination service declares it, else the destination's only port.
    /// </value>
    public PortSelectorOptions? Port { get; set; }
}
