namespace MeshClient.Configuration;

/// <summary>A port of the destination service (Istio <c>PortSelector</c>).</summary>
public sealed class PortSelectorOptions
{
    /// <summary>Gets or sets the port number.</summary>
    /// <value>Required when the selector is set (Istio <c>number</c>): 1 to 65535.</value>
    public int Number { get; set; }
}
