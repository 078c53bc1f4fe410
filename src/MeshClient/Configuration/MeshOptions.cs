namespace MeshClient.Configuration;

/// <summary>Mesh-wide settings and the registry of external services.</summary>
public sealed class MeshOptions
{
    /// <summary>Gets or sets what happens to requests for hosts that no service declares.</summary>
    /// <value>
    /// Defaults to <see cref="OutboundTrafficPolicy.AllowAny"/> (Istio
    /// <c>outboundTrafficPolicy.mode: ALLOW_ANY</c>).
    /// </value>
    public OutboundTrafficPolicy OutboundTrafficPolicy { get; set; }

    /// <summary>Gets or sets how a request that the mesh ended is reported.</summary>
    /// <value>Defaults to <see cref="MeshFailureMode.Response"/>: Envoy-compatible responses.</value>
    public MeshFailureMode FailureMode { get; set; }

    /// <summary>Gets the external services of the mesh.</summary>
    /// <value>Empty by default; <c>AddMeshExternalService</c> and configuration sources add to it.</value>
    public IList<ExternalServiceOptions> ExternalServices { get; } = new List<ExternalServiceOptions>();

    /// <summary>
    /// Gets the findings that configuration sources report while reading their input (for example
    /// a YAML syntax error or an ignored field). Errors among them fail validation like any other.
    /// </summary>
    /// <value>Empty by default.</value>
    public IList<MeshConfigurationDiagnostic> SourceDiagnostics { get; } = new List<MeshConfigurationDiagnostic>();
}
