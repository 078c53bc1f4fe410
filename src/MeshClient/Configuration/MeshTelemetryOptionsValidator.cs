namespace MeshClient.Configuration;

/// <summary>
/// Validates <see cref="MeshOptions.Telemetry"/> (messages start with the field path, <c>telemetry.propagation …</c>,
/// with <see cref="MeshConfigurationDiagnostic.FieldPath"/> set) and each service's
/// <see cref="ExternalServiceOptions.TracePropagation"/>. Every error is collected.
/// </summary>
internal static class MeshTelemetryOptionsValidator
{
    /// <summary>Longer label values are refused: Prometheus accepts them, but a workload name is never this long (Kubernetes names: 253).</summary>
    internal const int MaxLabelLength = 253;

    private const TracePropagation AllPropagations = TracePropagation.W3C | TracePropagation.B3Multi | TracePropagation.B3Single;

    public static void Validate(MeshTelemetryOptions? telemetry, List<MeshConfigurationDiagnostic> results)
    {
        if (telemetry is null)
        {
            return;
        }

        void Error(string path, string rest) => results.Add(MeshConfigurationDiagnostic.Error(path + rest) with { FieldPath = path });

        Label(telemetry.SourceWorkload, "telemetry.sourceWorkload", Error);
        Label(telemetry.SourceWorkloadNamespace, "telemetry.sourceWorkloadNamespace", Error);
        Propagation(telemetry.Propagation, "telemetry.propagation", Error);
    }

    public static void ValidateService(ExternalServiceOptions service, ServiceFindings findings)
    {
        if (service.TracePropagation is { } propagation)
        {
            Propagation(propagation, "tracePropagation", findings.Error);
        }
    }

    /// <summary>Checks a <see cref="TracePropagation"/> value read from anywhere (the Istio loader uses it for <c>spec.propagation</c>).</summary>
    internal static void Propagation(TracePropagation propagation, string path, Action<string, string> error)
    {
        if ((propagation & ~AllPropagations) != 0)
        {
            error(path, $" must be None or a combination of W3C, B3Multi and B3Single (was '{(int)propagation}').");
        }
    }

    internal static void Label(string? value, string path, Action<string, string> error)
    {
        if (value is null)
        {
            return; // unset: "unknown"
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            error(path, " must not be empty or blank: leave it unset for 'unknown'.");
        }
        else if (value.Length > MaxLabelLength)
        {
            error(path, $" must be at most {MaxLabelLength} characters (was {value.Length}).");
        }
        else if (value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || value.Contains('\u007f', StringComparison.Ordinal))
        {
            error(path, $" '{DiagnosticText.Cut(value)}' must not contain control characters.");
        }
    }
}
