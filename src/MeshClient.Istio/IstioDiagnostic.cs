using MeshClient.Configuration;

namespace MeshClient.Istio;

/// <summary>
/// One error or warning about Istio YAML, with where it was found: <c>file:line:column</c>, the object
/// (kind and <c>namespace/name</c>) and the field path, printed like <c>istioctl analyze</c>.
/// </summary>
public sealed class IstioDiagnostic
{
    internal IstioDiagnostic(MeshDiagnosticSeverity severity, string location, IstioResource? resource, string? fieldPath, string message)
    {
        Severity = severity;
        Location = location;
        Resource = resource;
        FieldPath = fieldPath;
        Message = message;
    }

    /// <summary>Gets whether the finding rejects the configuration.</summary>
    public MeshDiagnosticSeverity Severity { get; }

    /// <summary>Gets a value indicating whether this finding is an error.</summary>
    public bool IsError => Severity == MeshDiagnosticSeverity.Error;

    /// <summary>Gets <c>file:line:column</c> of the offending node (or of the object, or just the file path).</summary>
    public string Location { get; }

    /// <summary>Gets the object the finding is about, or <see langword="null"/> for file-level findings (missing file, YAML syntax).</summary>
    public IstioResource? Resource { get; }

    /// <summary>Gets the field path, such as <c>spec.ports[0].number</c>, when the finding is about one field.</summary>
    public string? FieldPath { get; }

    /// <summary>Gets the message; it starts with the field path when there is one.</summary>
    public string Message { get; }

    /// <summary>Formats the finding like <c>istioctl analyze</c>: <c>Error [file:line:col] ServiceEntry default/name: message</c>.</summary>
    /// <returns>The formatted finding.</returns>
    public override string ToString() =>
        $"{(IsError ? "Error" : "Warning")} [{Location}] {Subject}{Message}";

    /// <summary>Gets the finding as a core diagnostic: <c>file:line:col: ServiceEntry default/name: message</c>.</summary>
    /// <returns>The diagnostic, with the same severity.</returns>
    /// <remarks>
    /// A finding about a field of a <c>ServiceEntry</c> also carries <see cref="MeshConfigurationDiagnostic.Source"/>
    /// (the object's location, which is its service's source) and <see cref="MeshConfigurationDiagnostic.FieldPath"/>
    /// within the service (<c>ports[0].number</c>), so that the core validator does not report the same field again.
    /// </remarks>
    public MeshConfigurationDiagnostic ToMeshDiagnostic() => new(Severity, $"{Location}: {Subject}{Message}")
    {
        Source = Resource?.Location,
        FieldPath = Resource?.Kind == "ServiceEntry" && FieldPath is { } path && path.StartsWith("spec.", StringComparison.Ordinal) ? path["spec.".Length..] : null,
    };

    private string Subject => Resource is null ? string.Empty : $"{MeshClient.Configuration.DiagnosticText.Cut(Resource.Kind ?? "Object")} {MeshClient.Configuration.DiagnosticText.Cut(Resource.DisplayName, 2 * MeshClient.Configuration.DiagnosticText.MaxValueLength)}: ";
}
