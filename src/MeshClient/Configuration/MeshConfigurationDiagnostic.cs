namespace MeshClient.Configuration;

/// <summary>One finding of configuration validation: an error or a warning.</summary>
/// <param name="Severity">Whether the finding rejects the configuration.</param>
/// <param name="Message">The full message, naming the source, the service and the field path.</param>
/// <remarks>
/// Findings about one external service also carry their parts — <see cref="Source"/>,
/// <see cref="Service"/>, <see cref="FieldPath"/> and <see cref="Detail"/> — so that tools can
/// present them without parsing <see cref="Message"/>.
/// </remarks>
public sealed record MeshConfigurationDiagnostic(MeshDiagnosticSeverity Severity, string Message)
{
    /// <summary>Gets a value indicating whether this finding is an error.</summary>
    public bool IsError => Severity == MeshDiagnosticSeverity.Error;

    /// <summary>Gets where the service was defined (for example <c>mesh/se.yaml:3:1</c>), when known.</summary>
    public string? Source { get; init; }

    /// <summary>Gets the name of the external service the finding is about, when it is about one.</summary>
    public string? Service { get; init; }

    /// <summary>Gets the field path within the service (for example <c>ports[0].number</c>), when the finding is about one field.</summary>
    public string? FieldPath { get; init; }

    /// <summary>Gets the message without the source and service prefix (it still starts with the field path).</summary>
    public string? Detail { get; init; }

    /// <summary>Creates an error.</summary>
    /// <param name="message">The full message.</param>
    /// <returns>The diagnostic.</returns>
    public static MeshConfigurationDiagnostic Error(string message) => new(MeshDiagnosticSeverity.Error, message);

    /// <summary>Creates a warning.</summary>
    /// <param name="message">The full message.</param>
    /// <returns>The diagnostic.</returns>
    public static MeshConfigurationDiagnostic Warning(string message) => new(MeshDiagnosticSeverity.Warning, message);

    /// <inheritdoc />
    public override string ToString() => (IsError ? "error: " : "warning: ") + Message;
}
