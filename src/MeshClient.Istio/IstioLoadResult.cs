using MeshClient.Configuration;

namespace MeshClient.Istio;

/// <summary>What <see cref="IstioConfigurationLoader"/> read: the options, every finding and every object.</summary>
public sealed class IstioLoadResult
{
    private readonly Dictionary<ExternalServiceOptions, IstioResource> _services;
    private readonly Dictionary<MeshConfigurationDiagnostic, IstioDiagnostic> _sourceDiagnostics = new(ReferenceEqualityComparer.Instance);

    internal IstioLoadResult(
        MeshOptions options,
        IReadOnlyList<IstioDiagnostic> diagnostics,
        IReadOnlyList<IstioResource> resources,
        IReadOnlyList<string> files,
        OutboundTrafficPolicy? outboundTrafficPolicy,
        Dictionary<ExternalServiceOptions, IstioResource> services)
    {
        Options = options;
        Diagnostics = diagnostics;
        Resources = resources;
        Files = files;
        OutboundTrafficPolicy = outboundTrafficPolicy;
        _services = services;
        foreach (var diagnostic in diagnostics)
        {
            var converted = diagnostic.ToMeshDiagnostic();
            _sourceDiagnostics[converted] = diagnostic;
            options.SourceDiagnostics.Add(converted);
        }

        if (outboundTrafficPolicy is { } mode)
        {
            options.OutboundTrafficPolicy = mode;
        }
    }

    /// <summary>
    /// Gets the options: one external service per accepted <c>ServiceEntry</c> (with
    /// <see cref="ExternalServiceOptions.Source"/> = <c>file:line:column</c>), the <c>Sidecar</c> outbound
    /// policy, and every finding of the loader in <see cref="MeshOptions.SourceDiagnostics"/>.
    /// </summary>
    public MeshOptions Options { get; }

    /// <summary>
    /// Gets the loader's findings (syntax, structure, unknown and unsupported fields), in reading order.
    /// The ServiceEntry rules of the core validator are not included: see <see cref="Validate"/>.
    /// </summary>
    public IReadOnlyList<IstioDiagnostic> Diagnostics { get; }

    /// <summary>Gets every object read, in order, with what was done with it.</summary>
    public IReadOnlyList<IstioResource> Resources { get; }

    /// <summary>Gets the files read, as named in locations.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the outbound traffic policy a <c>Sidecar</c> declared, or <see langword="null"/> when none did.</summary>
    public OutboundTrafficPolicy? OutboundTrafficPolicy { get; }

    /// <summary>The <c>Sidecar</c> whose <c>outboundTrafficPolicy.egressProxy</c> is <see cref="MeshOptions.PassthroughDestination"/>, when one is.</summary>
    internal IstioResource? PassthroughSource { get; init; }

    /// <summary>The mesh-wide <c>TelemetryPolicy</c> (host <c>"*"</c>), when one was read.</summary>
    internal Mapping.TelemetryPolicyMapper.Policy? Telemetry { get; init; }

    /// <summary>Gets a value indicating whether the loader found errors (before core validation).</summary>
    public bool HasErrors => Diagnostics.Any(static d => d.IsError);

    /// <summary>
    /// Validates <see cref="Options"/> with the rules the runtime applies and returns every finding, the
    /// loader's and the core validator's, each attributed to its object and location.
    /// </summary>
    /// <returns>Every error and warning; no errors means the runtime accepts the configuration.</returns>
    public IReadOnlyList<IstioDiagnostic> Validate()
    {
        var results = new List<IstioDiagnostic>();
        foreach (var finding in MeshConfigurationValidator.Validate(Options))
        {
            if (_sourceDiagnostics.TryGetValue(finding, out var own))
            {
                results.Add(own);
                continue;
            }

            IstioDiagnostic? attributed = null;
            foreach (var (service, resource) in _services)
            {
                // Source is the ServiceEntry's file:line:col, unique per loaded object.
                if (finding.Source is not null && finding.Source == service.Source)
                {
                    attributed = Attribute(finding, resource);
                    break;
                }
            }

            attributed ??= AttributeToSidecar(finding);
            results.Add(attributed ?? new IstioDiagnostic(finding.Severity, "(mesh)", null, null, finding.Message));
        }

        return results;
    }

    /// <summary>
    /// Adds what was loaded to <paramref name="target"/>: the external services, the findings and, when a
    /// <c>Sidecar</c> declared one, the outbound traffic policy (which then replaces the one set in code).
    /// </summary>
    /// <param name="target">The options being configured.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is <see langword="null"/>.</exception>
    public void ApplyTo(MeshOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var service in Options.ExternalServices)
        {
            target.ExternalServices.Add(service);
        }

        foreach (var diagnostic in Options.SourceDiagnostics)
        {
            target.SourceDiagnostics.Add(diagnostic);
        }

        if (OutboundTrafficPolicy is { } mode)
        {
            target.OutboundTrafficPolicy = mode;
            target.PassthroughDestination = Options.PassthroughDestination; // the same Sidecar's egressProxy, or none
        }

        if (Options.EgressProxy is { } proxy)
        {
            target.EgressProxy = proxy; // an EgressProxy object with host "*"
        }

        Telemetry?.ApplyTo(target.Telemetry); // a TelemetryPolicy object with host "*": the fields it sets
    }

    /// <summary>
    /// A core finding about <see cref="MeshOptions.PassthroughDestination"/> (for example an unregistered host)
    /// as a diagnostic of the Sidecar whose <c>egressProxy</c> it is, with the YAML's field path.
    /// </summary>
    private IstioDiagnostic? AttributeToSidecar(MeshConfigurationDiagnostic finding)
    {
        const string Field = "passthroughDestination";
        const string YamlField = "spec.outboundTrafficPolicy.egressProxy";
        if (PassthroughSource is not { } sidecar || finding.Source is not null || !finding.Message.StartsWith(Field, StringComparison.Ordinal))
        {
            return null;
        }

        var message = YamlField + finding.Message[Field.Length..];
        var end = message.IndexOf(' ', StringComparison.Ordinal);
        return new IstioDiagnostic(finding.Severity, sidecar.Location, sidecar, end < 0 ? YamlField : message[..end], message);
    }

    /// <summary>Turns a core finding about a service into a diagnostic of its object, using the finding's structured parts.</summary>
    internal static IstioDiagnostic Attribute(MeshConfigurationDiagnostic finding, IstioResource resource)
    {
        var path = finding.FieldPath is null ? null : "spec." + finding.FieldPath;
        return new IstioDiagnostic(finding.Severity, resource.Location, resource, path, finding.Detail ?? finding.Message);
    }
}
