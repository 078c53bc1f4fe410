using System.Collections.Frozen;
using MeshClient.Configuration;

namespace MeshClient.Telemetry;

/// <summary>The telemetry settings of one configuration, immutable, swapped whole on a reload.</summary>
internal sealed class TelemetrySettings
{
    private readonly FrozenDictionary<string, TracePropagation> _byService;

    private TelemetrySettings(MeshTelemetryOptions options, FrozenDictionary<string, TracePropagation> byService)
    {
        SourceWorkload = string.IsNullOrEmpty(options.SourceWorkload) ? MeshLabels.Unknown : options.SourceWorkload;
        SourceWorkloadNamespace = string.IsNullOrEmpty(options.SourceWorkloadNamespace) ? MeshLabels.Unknown : options.SourceWorkloadNamespace;
        IstioCompatibleMetrics = options.IstioCompatibleMetrics;
        Propagation = options.Propagation;
        GenerateRequestId = options.GenerateRequestId;
        IncludeAttemptCount = options.IncludeAttemptCount;
        EndpointLabels = options.EndpointLabels;
        _byService = byService;
    }

    public static TelemetrySettings Default { get; } = new(new MeshTelemetryOptions(), FrozenDictionary<string, TracePropagation>.Empty);

    public string SourceWorkload { get; }

    public string SourceWorkloadNamespace { get; }

    public bool IstioCompatibleMetrics { get; }

    public TracePropagation Propagation { get; }

    public bool GenerateRequestId { get; }

    public bool IncludeAttemptCount { get; }

    public bool EndpointLabels { get; }

    public static TelemetrySettings From(MeshOptions options)
    {
        Dictionary<string, TracePropagation>? byService = null;
        foreach (var service in options.ExternalServices)
        {
            if (service.TracePropagation is { } own)
            {
                (byService ??= new(StringComparer.OrdinalIgnoreCase))[service.DisplayName] = own;
            }
        }

        return new(options.Telemetry, byService is null ? FrozenDictionary<string, TracePropagation>.Empty : byService.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The headers to send to <paramref name="serviceName"/> (the cluster's service; <see langword="null"/> for unregistered hosts).</summary>
    public TracePropagation PropagationFor(string? serviceName) =>
        _byService.Count != 0 && serviceName is not null && _byService.TryGetValue(serviceName, out var own) ? own : Propagation;
}
