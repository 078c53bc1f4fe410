namespace MeshClient.Configuration;

/// <summary>One mirror of a route's requests (Istio <c>HTTPMirrorPolicy</c>).</summary>
public sealed class HttpMirrorPolicyOptions
{
    /// <summary>Gets or sets the destination that receives the copies.</summary>
    /// <value>Required (Istio <c>destination</c>).</value>
    public DestinationOptions? Destination { get; set; }

    /// <summary>Gets or sets the percentage of requests copied, 0 to 100.</summary>
    /// <value>Defaults to <see langword="null"/>: every request (Istio <c>percentage.value</c>).</value>
    public double? Percentage { get; set; }
}
