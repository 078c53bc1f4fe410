namespace MeshClient.Configuration;

/// <summary>One weighted destination of a route (Istio <c>HTTPRouteDestination</c>).</summary>
public sealed class HttpRouteDestinationOptions
{
    /// <summary>Gets or sets the destination.</summary>
    /// <value>Required (Istio <c>destination</c>).</value>
    public DestinationOptions? Destination { get; set; }

    /// <summary>
    /// Gets or sets the destination's share of the route's requests, relative to the other
    /// destinations' weights. With one destination it gets every request; with several, a weight of 0
    /// gets none, and at least one must be positive.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>, read as 0 (Istio <c>weight</c>); at least 0.</value>
    public int? Weight { get; set; }

    /// <summary>Gets or sets header operations applied when this destination is chosen (after the route's).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>route[].headers</c>).</value>
    public HeadersOptions? Headers { get; set; }
}
