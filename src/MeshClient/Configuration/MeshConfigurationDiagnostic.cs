namespace MeshClient.Configuration;

/// <summary>One finding of configuration validation: an error or a warning.</summary>
/// <param name="Severity">Whether the finding rejects the configuration.</param>
/// <param name="Message">The full message, naming the source, the service and the field path.</param>
public sealed record MeshConfigurationDiagnostic(MeshDiagnosticSeverity Severity, string Message)
{
    /// <summary>Gets a value indicating whether this finding is an error.</summary>
    public bool IsError => Severity == MeshDiagnosticSeverity.Error;

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
