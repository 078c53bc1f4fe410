using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// MeshClient's own kind <c>meshclient.io/v1alpha1 TelemetryPolicy</c>: the mesh's telemetry settings
/// (<see cref="MeshTelemetryOptions"/>) with <c>spec.host: "*"</c>, or a service's trace propagation
/// (<see cref="ExternalServiceOptions.TracePropagation"/>) with <c>spec.host</c> a ServiceEntry host.
/// Istio's own <c>Telemetry</c> API (providers, sampling, tag overrides) has no equivalent here.
/// <code>
/// apiVersion: meshclient.io/v1alpha1
/// kind: TelemetryPolicy
/// metadata: {name: mesh-telemetry}
/// spec:
///   host: "*"                          # or a ServiceEntry host (then propagation only)
///   sourceWorkload: checkout           # host "*" only, as the five fields below
///   sourceWorkloadNamespace: shop
///   istioCompatibleMetrics: true
///   generateRequestId: true
///   includeAttemptCount: true          # x-envoy-attempt-count (Istio proxyHeaders.attemptCount)
///   endpointLabels: false
///   propagation: [W3C, B3Multi]        # W3C, B3Multi, B3Single; [None] (or []) for none
/// </code>
/// Objects are read in order; the first one per host (and the first <c>"*"</c>) wins.
/// </summary>
internal sealed class TelemetryPolicyMapper
{
    public const string ApiVersion = "meshclient.io/v1alpha1";
    public const string Kind = "TelemetryPolicy";

    private const string Telemetry = "telemetry.";

    private static readonly string[] MeshWideFields = ["sourceWorkload", "sourceWorkloadNamespace", "istioCompatibleMetrics", "generateRequestId", "includeAttemptCount", "endpointLabels"];

    private static readonly Schema Spec = Schema.Object(
        new Field("host", Schema.Scalar),
        new Field("sourceWorkload", Schema.Scalar),
        new Field("sourceWorkloadNamespace", Schema.Scalar),
        new Field("istioCompatibleMetrics", Schema.Scalar),
        new Field("generateRequestId", Schema.Scalar),
        new Field("includeAttemptCount", Schema.Scalar),
        new Field("endpointLabels", Schema.Scalar),
        new Field("propagation", Schema.List(Schema.Scalar)));

    private readonly List<Policy> _policies = [];

    public static bool Handles(string apiVersion, string kind) =>
        kind == Kind && apiVersion.StartsWith(EgressProxyMapper.Group, StringComparison.Ordinal);

    /// <summary>Reads one object; <see langword="false"/> when it has errors (it is then not used).</summary>
    public bool Read(ObjectReader reader, YamlMappingNode root, IstioResource resource, string apiVersion)
    {
        if (apiVersion != ApiVersion)
        {
            reader.Error(YamlNodes.Get(root, "apiVersion")!, "apiVersion", $"apiVersion: Unsupported value: '{DiagnosticText.Cut(apiVersion)}': {Kind} is {ApiVersion}.");
            return false;
        }

        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            reader.Required(root, "spec", $"a {Kind} needs a spec with a host.");
            return false;
        }

        var errors = reader.ErrorCount;
        Schema.Walk(reader, Spec, spec, "spec", ignored: false);
        var host = reader.String(spec, "host", "spec.host");
        if (string.IsNullOrEmpty(host))
        {
            reader.Required(YamlNodes.Get(spec, "host") ?? spec, "spec.host", "a ServiceEntry host, or \"*\" for the whole mesh.");
        }

        var meshWide = host == "*";
        if (!meshWide && host is not null)
        {
            foreach (var field in MeshWideFields)
            {
                if (YamlNodes.Get(spec, field) is { } node)
                {
                    reader.Error(node, "spec." + field, $"spec.{field} applies to the whole mesh (host \"*\") only; a service's {Kind} sets propagation.");
                }
            }
        }

        var policy = new Policy(resource, host ?? string.Empty, YamlNodes.Get(spec, "host") ?? spec, reader)
        {
            SourceWorkload = reader.String(spec, "sourceWorkload", "spec.sourceWorkload"),
            SourceWorkloadNamespace = reader.String(spec, "sourceWorkloadNamespace", "spec.sourceWorkloadNamespace"),
            IstioCompatibleMetrics = IstioFields.Bool(reader, spec, "istioCompatibleMetrics", "spec"),
            GenerateRequestId = IstioFields.Bool(reader, spec, "generateRequestId", "spec"),
            IncludeAttemptCount = IstioFields.Bool(reader, spec, "includeAttemptCount", "spec"),
            EndpointLabels = IstioFields.Bool(reader, spec, "endpointLabels", "spec"),
            Propagation = ReadPropagation(reader, spec),
        };

        // The core rules, on this object's fields, with its field paths (telemetry.x is spec.x here).
        var probe = new MeshOptions();
        probe.Telemetry.SourceWorkload = policy.SourceWorkload;
        probe.Telemetry.SourceWorkloadNamespace = policy.SourceWorkloadNamespace;
        foreach (var finding in MeshConfigurationValidator.Validate(probe))
        {
            if (finding is { IsError: true, FieldPath: { } field } && field.StartsWith(Telemetry, StringComparison.Ordinal))
            {
                var path = "spec." + field[Telemetry.Length..];
                reader.Error(YamlNodes.Get(spec, field[Telemetry.Length..]) ?? spec, path, "spec." + finding.Message[Telemetry.Length..]);
            }
        }

        if (reader.ErrorCount > errors || string.IsNullOrEmpty(host))
        {
            return false;
        }

        _policies.Add(policy);
        return true;
    }

    /// <summary>The mesh-wide policy into <paramref name="options"/> (returned, for <see cref="IstioLoadResult.ApplyTo"/>); each service's propagation into its ServiceEntries.</summary>
    public Policy? Apply(MeshOptions options, IEnumerable<ExternalServiceOptions> services)
    {
        Policy? meshWide = null;
        var perService = new List<Policy>();
        foreach (var policy in _policies)
        {
            if (policy.Host != "*")
            {
                perService.Add(policy);
            }
            else if (meshWide is null)
            {
                meshWide = policy;
                policy.ApplyTo(options.Telemetry);
            }
            else
            {
                policy.Reader.Warning(policy.HostNode, "spec.host", $"spec.host '*': an earlier {Kind} already sets the mesh's telemetry; the first one wins.");
            }
        }

        ExtensionPolicies.Apply(perService, services, $"{Kind} has no effect (use \"*\" for the whole mesh).", $"trace propagation from {Kind}", static (service, policy) =>
        {
            if (policy.Propagation is { } propagation)
            {
                service.TracePropagation = propagation;
            }
        });
        return meshWide;
    }

    /// <summary><c>spec.propagation</c>: a list of W3C, B3Multi, B3Single (case-insensitive), or <c>[None]</c> / <c>[]</c> for none.</summary>
    private static TracePropagation? ReadPropagation(ObjectReader reader, YamlMappingNode spec)
    {
        if (YamlNodes.Get(spec, "propagation") is null)
        {
            return null;
        }

        var entries = reader.StringList(spec, "propagation", "spec.propagation");
        if (reader.HasError("spec.propagation"))
        {
            return null;
        }

        var propagation = TracePropagation.None;
        var none = false;
        for (var i = 0; i < entries.Count; i++)
        {
            var (value, node) = entries[i];
            switch (value.ToUpperInvariant())
            {
                case "W3C":
                    propagation |= TracePropagation.W3C;
                    break;
                case "B3MULTI" or "B3":
                    propagation |= TracePropagation.B3Multi;
                    break;
                case "B3SINGLE":
                    propagation |= TracePropagation.B3Single;
                    break;
                case "NONE":
                    none = true;
                    break;
                default:
                    reader.Error(node, $"spec.propagation[{i}]", $"spec.propagation[{i}]: Unsupported value: '{DiagnosticText.Cut(value)}': supported values: \"W3C\", \"B3Multi\", \"B3Single\", \"None\".");
                    break;
            }
        }

        if (none && propagation != TracePropagation.None)
        {
            reader.Error(YamlNodes.Get(spec, "propagation")!, "spec.propagation", "spec.propagation: None cannot be combined with other formats.");
        }

        return propagation;
    }

    /// <summary>One valid object: the fields it sets (the others keep their values).</summary>
    internal sealed class Policy(IstioResource resource, string host, YamlNode hostNode, ObjectReader reader) : IExtensionPolicy
    {
        public IstioResource Resource { get; } = resource;

        public string Host { get; } = host;

        public YamlNode HostNode { get; } = hostNode;

        public ObjectReader Reader { get; } = reader;

        public string? SourceWorkload { get; init; }

        public string? SourceWorkloadNamespace { get; init; }

        public bool? IstioCompatibleMetrics { get; init; }

        public bool? GenerateRequestId { get; init; }

        public bool? IncludeAttemptCount { get; init; }

        public bool? EndpointLabels { get; init; }

        public TracePropagation? Propagation { get; init; }

        public void ApplyTo(MeshTelemetryOptions target)
        {
            target.SourceWorkload = SourceWorkload ?? target.SourceWorkload;
            target.SourceWorkloadNamespace = SourceWorkloadNamespace ?? target.SourceWorkloadNamespace;
            target.IstioCompatibleMetrics = IstioCompatibleMetrics ?? target.IstioCompatibleMetrics;
            target.GenerateRequestId = GenerateRequestId ?? target.GenerateRequestId;
            target.IncludeAttemptCount = IncludeAttemptCount ?? target.IncludeAttemptCount;
            target.EndpointLabels = EndpointLabels ?? target.EndpointLabels;
            target.Propagation = Propagation ?? target.Propagation;
        }
    }
}
