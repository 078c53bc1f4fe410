using MeshClient.Configuration;
using MeshClient.Istio.Mapping;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio;

/// <summary>
/// Collects what <see cref="IstioConfigurationLoader"/> reads, object by object, then links the
/// objects (DestinationRules to the ServiceEntries with their host, Sidecar modes) in <see cref="Build"/>.
/// </summary>
internal sealed class IstioLoadBuilder
{
    private const string Group = "networking.istio.io/";

    private readonly List<(IstioResource Resource, ExternalServiceOptions Service, bool HostsMissing)> _services = [];
    private readonly List<(DestinationRulePolicy Policy, ObjectReader Reader)> _rules = [];
    private readonly List<(OutboundTrafficPolicy Mode, YamlNode Node, ObjectReader Reader)> _modes = [];

    public List<string> Files { get; } = [];

    public List<IstioDiagnostic> Diagnostics { get; } = [];

    public List<IstioResource> Resources { get; } = [];

    public void FileError(string file, string message) =>
        Diagnostics.Add(new IstioDiagnostic(MeshDiagnosticSeverity.Error, file, null, null, message));

    public void ReadObject(string file, YamlNode node, int documentIndex, int? itemIndex)
    {
        var where = itemIndex is null ? $"document {documentIndex}" : $"document {documentIndex} items[{itemIndex}]";
        if (node is not YamlMappingNode root)
        {
            var rejected = new IstioResource(file, (int)node.Start.Line, (int)node.Start.Column, documentIndex, itemIndex, null, null, null, null) { Status = IstioResourceStatus.Rejected };
            Resources.Add(rejected);
            new ObjectReader(file, rejected, Diagnostics).Error(node, null, $"{where}: Invalid value: expected a Kubernetes object (apiVersion, kind, metadata, spec), found {YamlNodes.Describe(node)}.");
            return;
        }

        var apiVersion = Peek(root, "apiVersion");
        var kind = Peek(root, "kind");
        if (kind == "List" && itemIndex is null)
        {
            ReadList(file, root, documentIndex, where);
            return;
        }

        var metadata = YamlNodes.Get(root, "metadata") as YamlMappingNode;
        var resource = new IstioResource(
            file,
            (int)root.Start.Line,
            (int)root.Start.Column,
            documentIndex,
            itemIndex,
            apiVersion,
            kind,
            metadata is null ? null : Peek(metadata, "namespace"),
            metadata is null ? null : Peek(metadata, "name"));
        Resources.Add(resource);
        var reader = new ObjectReader(file, resource, Diagnostics);
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            resource.Status = IstioResourceStatus.Rejected;
            reader.Required(root, string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind", $"{where} is not a Kubernetes object: apiVersion and kind are required.");
            return;
        }

        if (!apiVersion.StartsWith(Group, StringComparison.Ordinal)
            || kind is not ("ServiceEntry" or "DestinationRule" or "VirtualService" or "Sidecar"))
        {
            resource.Status = IstioResourceStatus.Ignored;
            resource.IgnoredReason = $"{kind} ({apiVersion}) is not used by MeshClient.";
            return;
        }

        if (apiVersion[Group.Length..] is not ("v1" or "v1beta1" or "v1alpha3"))
        {
            resource.Status = IstioResourceStatus.Rejected;
            reader.Error(YamlNodes.Get(root, "apiVersion")!, "apiVersion", $"apiVersion: Unsupported value: '{apiVersion}': supported versions are networking.istio.io/v1, v1beta1 and v1alpha3.");
            return;
        }

        CheckTopLevel(reader, root, metadata);
        resource.Status = Map(reader, root, resource) ? (kind == "VirtualService" ? IstioResourceStatus.ValidatedOnly : IstioResourceStatus.Mapped) : IstioResourceStatus.Rejected;
    }

    public IstioLoadResult Build()
    {
        var options = new MeshOptions();
        foreach (var (resource, service, hostsMissing) in _services)
        {
            if (hostsMissing)
            {
                // The entry is rejected; still report its other problems (every error, not the first).
                var probe = new MeshOptions();
                probe.ExternalServices.Add(service);
                foreach (var finding in MeshConfigurationValidator.Validate(probe))
                {
                    if (finding.FieldPath != "hosts")
                    {
                        Diagnostics.Add(IstioLoadResult.Attribute(finding, resource));
                    }
                }
            }
            else
            {
                options.ExternalServices.Add(service);
            }
        }

        OutboundTrafficPolicy? mode = null;
        foreach (var (value, node, reader) in _modes)
        {
            if (mode is null)
            {
                mode = value;
            }
            else if (mode != value)
            {
                reader.Warning(node, "spec.outboundTrafficPolicy.mode", $"field spec.outboundTrafficPolicy.mode {IstioNames.Format(value)} conflicts with an earlier Sidecar that sets {IstioNames.Format(mode.Value)}; the first one wins.");
            }
        }

        ApplyDestinationRules();
        var services = new Dictionary<ExternalServiceOptions, IstioResource>(ReferenceEqualityComparer.Instance);
        foreach (var (resource, service, _) in _services)
        {
            services[service] = resource;
        }

        return new IstioLoadResult(options, Diagnostics, Resources, Files, mode, services);
    }

    private bool Map(ObjectReader reader, YamlMappingNode root, IstioResource resource)
    {
        switch (resource.Kind)
        {
            case "ServiceEntry":
                var service = ServiceEntryMapper.Map(reader, root, resource, out var hostsMissing);
                if (service is not null)
                {
                    _services.Add((resource, service, hostsMissing));
                }

                return service is not null && !hostsMissing;
            case "DestinationRule":
                var policy = DestinationRuleMapper.Map(reader, root, resource);
                if (policy is not null)
                {
                    _rules.Add((policy, reader));
                }

                return policy is not null;
            case "Sidecar":
                if (SidecarMapper.Map(reader, root) is { } mode)
                {
                    _modes.Add((mode.Mode, mode.Node, reader));
                }

                return YamlNodes.Get(root, "spec") is YamlMappingNode;
            default:
                VirtualServiceValidator.Validate(reader, root);
                return YamlNodes.Get(root, "spec") is YamlMappingNode;
        }
    }

    private void ApplyDestinationRules()
    {
        var claimed = new Dictionary<ExternalServiceOptions, IstioResource>(ReferenceEqualityComparer.Instance);
        foreach (var (policy, reader) in _rules)
        {
            var matched = false;
            foreach (var (_, service, hostsMissing) in _services)
            {
                if (hostsMissing || !service.Hosts.Contains(policy.Host, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                matched = true;
                if (claimed.TryGetValue(service, out var first))
                {
                    reader.Warning(policy.Node, "spec.host", $"spec.host '{policy.Host}': ServiceEntry {service.Name} already takes its traffic policy from DestinationRule {first.DisplayName} ({first.Location}); the first one wins.");
                    continue;
                }

                claimed[service] = policy.Resource;
                if (policy.LoadBalancer is { } loadBalancer)
                {
                    service.TrafficPolicy.LoadBalancer = loadBalancer;
                    if (service.Hosts.Count > 1)
                    {
                        reader.Warning(policy.Node, "spec.host", $"spec.host '{policy.Host}': MeshClient keeps one traffic policy per ServiceEntry, so it applies to every host of ServiceEntry {service.Name} ({string.Join(", ", service.Hosts)}).");
                    }
                }
            }

            if (!matched)
            {
                reader.Warning(policy.Node, "spec.host", $"spec.host '{policy.Host}' matches no ServiceEntry host, so the DestinationRule has no effect (MeshClient only knows hosts declared by ServiceEntries).");
            }
        }
    }

    private void ReadList(string file, YamlMappingNode root, int documentIndex, string where)
    {
        if (YamlNodes.Get(root, "items") is not YamlSequenceNode items)
        {
            var list = new IstioResource(file, (int)root.Start.Line, (int)root.Start.Column, documentIndex, null, Peek(root, "apiVersion"), "List", null, null) { Status = IstioResourceStatus.Rejected };
            Resources.Add(list);
            new ObjectReader(file, list, Diagnostics).Required(root, "items", $"{where} is a List without an items list.");
            return;
        }

        for (var i = 0; i < items.Children.Count; i++)
        {
            ReadObject(file, items.Children[i], documentIndex, i);
        }
    }

    private static void CheckTopLevel(ObjectReader reader, YamlMappingNode root, YamlMappingNode? metadata)
    {
        foreach (var (key, _) in root.Children)
        {
            var name = YamlNodes.KeyText(key);
            if (name is not ("apiVersion" or "kind" or "metadata" or "spec" or "status"))
            {
                reader.Warning(key, name, $"unknown top-level field \"{name}\" is not part of a Kubernetes object and is ignored.");
            }
        }

        if (metadata is null || string.IsNullOrEmpty(Peek(metadata, "name")))
        {
            reader.Required(metadata ?? root, "metadata.name", "every Istio object needs a name.");
        }
    }

    private static string? Peek(YamlMappingNode map, string key) =>
        YamlNodes.Get(map, key) is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
}
