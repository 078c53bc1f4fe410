namespace MeshClient.Configuration;

/// <summary>Header operations on the request sent upstream and on the response returned (Istio <c>Headers</c>).</summary>
public sealed class HeadersOptions
{
    /// <summary>Gets or sets the operations on the request.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>request</c>).</value>
    public HeaderOperationsOptions? Request { get; set; }

    /// <summary>Gets or sets the operations on the response.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>response</c>).</value>
    public HeaderOperationsOptions? Response { get; set; }
}
