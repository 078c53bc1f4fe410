namespace MeshClient.Configuration;

/// <summary>
/// The traffic policy of one port of a service (Istio <c>trafficPolicy.portLevelSettings[]</c>). Its
/// settings replace the service-level ones for that port and do not inherit from them.
/// </summary>
public sealed class PortTrafficPolicyOptions
{
    /// <summary>Gets or sets the service port (<see cref="ServicePortOptions.Number"/>) this policy applies to.</summary>
    /// <value>Required (Istio <c>port.number</c>).</value>
    public int Port { get; set; }

    /// <summary>Gets or sets the TLS settings of the port; <see langword="null"/> leaves the port without TLS from the mesh.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>portLevelSettings[].tls</c>).</value>
    public TlsOptions? Tls { get; set; }
}
