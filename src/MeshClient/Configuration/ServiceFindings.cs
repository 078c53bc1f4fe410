namespace MeshClient.Configuration;

/// <summary>
/// Where the validators of one external service put their findings: each names its field path
/// explicitly (<c>trafficPolicy.loadBalancer.simple</c>), and the message reads the source, the
/// service, the path, then the rest — <c>External service 'api.example.com': route.timeout duration
/// must be greater than 1ms (was '0s').</c> Every finding is collected; none stops the others.
/// </summary>
/// <remarks>An error on a field its configuration source already reported (an unreadable YAML value) is not reported twice.</remarks>
internal readonly struct ServiceFindings(ExternalServiceOptions service, List<MeshConfigurationDiagnostic> results, HashSet<(string Source, string FieldPath)>? reported = null)
{
    /// <summary>Gets the service the findings are about (for rules that depend on another of its fields).</summary>
    public ExternalServiceOptions Service => service;

    /// <summary>An error about <paramref name="fieldPath"/> (or the whole service when <see langword="null"/>); the message reads the path, then <paramref name="rest"/>.</summary>
    public void Error(string? fieldPath, string rest) => Add(MeshDiagnosticSeverity.Error, fieldPath, rest);

    /// <summary>A warning about <paramref name="fieldPath"/>: valid, but surprising.</summary>
    public void Warning(string? fieldPath, string rest) => Add(MeshDiagnosticSeverity.Warning, fieldPath, rest);

    private void Add(MeshDiagnosticSeverity severity, string? fieldPath, string rest)
    {
        if (severity == MeshDiagnosticSeverity.Error && reported is not null && service.Source is { } source && fieldPath is not null && reported.Contains((source, fieldPath)))
        {
            return;
        }

        results.Add(MeshOptionsValidator.Finding(service, severity, fieldPath, fieldPath + rest));
    }
}
