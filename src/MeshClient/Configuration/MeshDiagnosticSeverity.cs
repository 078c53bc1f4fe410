namespace MeshClient.Configuration;

/// <summary>The severity of a configuration finding.</summary>
public enum MeshDiagnosticSeverity
{
    /// <summary>Valid but surprising, or ignored: logged, and the configuration is used.</summary>
    Warning = 0,

    /// <summary>Invalid: the configuration is rejected.</summary>
    Error = 1,
}
