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
    private readonly List<(SidecarMapper.Policy Policy, ObjectReader Reader, IstioResource Resource)> _modes = [];
    private readonly List<VirtualServicePolicy> _virtualServices = [];
    private readonly IReadOnlyList<ExtensionKind> _extensions = ExtensionKinds.Create();
    private readonly TelemetryPolicyMapper _telemetry = new();

    public List<string> Files { get; } = [];

    public List<IstioDiagnostic> Diagnostics { get; } = [];

    public List<IstioResource> Resources { get; } = [];

    public void FileError(string file, string message) =>
        Diagnostics.Add(new IstioDiagnostic(MeshDiagnosticSeverity.Error, file, null, null, message));

    public void FileWarning(string file, string message) =>
        Diagnostics.Add(new IstioDiagnostic(MeshDiagnosticSeverity.Warning, file, null, null, message));

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

        foreach (var extension in _extensions)
        {
            if (extension.Handles(apiVersion, kind))
            {
                CheckTopLevel(reader, root, metadata);
                resource.Status = extension.Read(reader, root, resource) ? IstioResourceStatus.Mapped : IstioResourceStatus.Rejected;
                return;
            }
        }

        if (TelemetryPolicyMapper.Handles(apiVersion, kind))
        {
            CheckTopLevel(reader, root, metadata);
            resource.Status = _telemetry.Read(reader, root, resource, apiVersion) ? IstioResourceStatus.Mapped : IstioResourceStatus.Rejected;
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
        resource.Status = Map(reader, root, resource) ? IstioResourceStatus.Mapped : IstioResourceStatus.Rejected;
    }

    public IstioLoadResult Build()
    {
        // Core findings on a field the loader already reported are left out: one error per field (an
        // unreadable port number is not also "port 0"). MeshOptionsValidator applies the same rule to
        // the entries added to the options; the probe below has no source diagnostics, so it is done here.
        var reported = new HashSet<(IstioResource, string)>();
        foreach (var diagnostic in Diagnostics)
        {
            if (diagnostic is { IsError: true, Resource: { } owner, FieldPath: { } field })
            {
                reported.Add((owner, field));
            }
        }

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
                    if (finding.FieldPath != "hosts" && (finding.FieldPath is null || !reported.Contains((resource, "spec." + finding.FieldPath))))
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
        IstioResource? passthroughSource = null;
        foreach (var (policy, reader, sidecar) in _modes)
        {
            if (mode is null)
            {
                mode = policy.Mode;
                options.PassthroughDestination = policy.EgressProxy; // the first Sidecar's, as its mode
                passthroughSource = policy.EgressProxy is null ? null : sidecar;
            }
            else
            {
                if (mode != policy.Mode)
                {
                    reader.Warning(policy.Node, "spec.outboundTrafficPolicy.mode", $"field spec.outboundTrafficPolicy.mode {IstioNames.Format(policy.Mode)} conflicts with an earlier Sidecar that sets {IstioNames.Format(mode.Value)}; the first one wins.");
                }

                if (policy.EgressProxy is not null)
                {
                    reader.Warning(policy.EgressProxyNode!, "spec.outboundTrafficPolicy.egressProxy", "field spec.outboundTrafficPolicy.egressProxy is not used: an earlier Sidecar sets the outbound traffic policy; the first one wins.");
                }
            }
        }

        ApplyDestinationRules();
        ApplyVirtualServices();
        foreach (var extension in _extensions)
        {
            extension.Apply(options);
        }

        // TelemetryPolicy is outside the registry: it yields mesh-wide settings for the load result, not per-service options.
        var telemetry = _telemetry.Apply(options, options.ExternalServices);
        var services = new Dictionary<ExternalServiceOptions, IstioResource>(ReferenceEqualityComparer.Instance);
        foreach (var (resource, service, _) in _services)
        {
            services[service] = resource;
        }

        return new IstioLoadResult(options, Diagnostics, Resources, Files, mode, services) { Telemetry = telemetry, PassthroughSource = passthroughSource };
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
                if (SidecarMapper.Map(reader, root) is { } sidecar)
                {
                    _modes.Add((sidecar, reader, resource));
                }

                return YamlNodes.Get(root, "spec") is YamlMappingNode;
            default:
                var virtualService = VirtualServiceMapper.Map(reader, root, resource);
                if (virtualService is not null)
                {
                    _virtualServices.Add(virtualService);
                }

                return virtualService is not null;
        }
    }

    private void ApplyDestinationRules()
    {
        // Index the entries by host once: matching each rule against every entry was quadratic
        // (20,000 entries and 20,000 rules took 18 s). Lists keep the entries in reading order.
        var byHost = new Dictionary<string, List<ExternalServiceOptions>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (_, service, hostsMissing) in _services)
        {
            if (hostsMissing)
            {
                continue;
            }

            foreach (var host in service.Hosts)
            {
                if (!byHost.TryGetValue(host, out var list))
                {
                    byHost[host] = list = [];
                }

                if (list.Count == 0 || !ReferenceEquals(list[^1], service))
                {
                    list.Add(service); // once per entry, even when it lists the host twice
                }
            }
        }

        var claimed = new Dictionary<ExternalServiceOptions, IstioResource>(ReferenceEqualityComparer.Instance);
        foreach (var (policy, reader) in _rules)
        {
            if (!byHost.TryGetValue(policy.Host, out var services))
            {
                reader.Warning(policy.Node, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}' matches no ServiceEntry host, so the DestinationRule has no effect (MeshClient only knows hosts declared by ServiceEntries).");
                continue;
            }

            foreach (var service in services)
            {
                if (claimed.TryGetValue(service, out var first))
                {
                    reader.Warning(policy.Node, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}': ServiceEntry {DiagnosticText.Cut(service.Name)} already takes its traffic policy from DestinationRule {DiagnosticText.Cut(first.DisplayName)} ({first.Location}); the first one wins.");
                    continue;
                }

                claimed[service] = policy.Resource;
                if (policy.OutlierDetection is { } outlierDetection)
                {
                    service.TrafficPolicy.OutlierDetection = outlierDetection;
                }

                if (policy.LoadBalancer is { } loadBalancer)
                {
                    service.TrafficPolicy.LoadBalancer = loadBalancer;
                }

                if (policy.RetryBudget is { } retryBudget)
                {
                    service.TrafficPolicy.RetryBudget = retryBudget;
                }

                if (policy.ProxyProtocol is { } proxyProtocol)
                {
                    service.TrafficPolicy.ProxyProtocol = proxyProtocol;
                }

                if (policy.ConnectionPool is { } connectionPool)
                {
                    service.TrafficPolicy.ConnectionPool = connectionPool;
                }

                if (policy.Tls is { } tls)
                {
                    service.TrafficPolicy.Tls = tls;
                }

                foreach (var portLevel in policy.PortLevelSettings)
                {
                    service.TrafficPolicy.PortLevelSettings.Add(portLevel);
                }

                foreach (var subset in policy.Subsets)
                {
                    service.Subsets.Add(subset);
                }

                if (policy.HasPolicy && service.Hosts.Count > 1)
                {
                    reader.Warning(policy.Node, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}': MeshClient keeps one traffic policy per ServiceEntry, so it applies to every host of ServiceEntry {DiagnosticText.Cut(service.Name)} ({DiagnosticText.Cut(string.Join(", ", service.Hosts), 500)}).");
                }
            }
        }
    }

    /// <summary>
    /// Attaches each valid VirtualService's HTTP routes to the ServiceEntries that declare its hosts
    /// (the first VirtualService for an entry wins, as Istio keeps one per host for the sidecars).
    /// </summary>
    private void ApplyVirtualServices()
    {
        var byHost = new Dictionary<string, List<ExternalServiceOptions>>(StringComparer.OrdinalIgnoreCase);
        var all = new List<ExternalServiceOptions>();
        foreach (var (_, service, hostsMissing) in _services)
        {
            if (hostsMissing)
            {
                continue;
            }

            all.Add(service);
            foreach (var host in service.Hosts)
            {
                if (!byHost.TryGetValue(host, out var list))
                {
                    byHost[host] = list = [];
                }

                if (list.Count == 0 || !ReferenceEquals(list[^1], service))
                {
                    list.Add(service);
                }
            }
        }

        var index = new RouteReferences(all);
        var claimed = new Dictionary<ExternalServiceOptions, IstioResource>(ReferenceEqualityComparer.Instance);
        foreach (var policy in _virtualServices)
        {
            var reader = policy.Reader;
            if (!policy.ForMesh)
            {
                reader.Warning(policy.Spec, "spec.gateways", "the VirtualService is bound only to gateways, not to 'mesh': its routes are the gateways' business and are not used by this application.");
                continue;
            }

            if (policy.Routes.Count == 0)
            {
                continue; // TLS or TCP routes only: warned about by the schema walk
            }

            var attached = false;
            for (var h = 0; h < policy.Hosts.Count; h++)
            {
                var (host, node) = policy.Hosts[h];
                if (!byHost.TryGetValue(host, out var services))
                {
                    reader.Warning(node, $"spec.hosts[{h}]", $"spec.hosts[{h}] '{DiagnosticText.Cut(host)}' matches no ServiceEntry host, so these routes do not apply to it (MeshClient routes hosts declared by ServiceEntries).");
                    continue;
                }

                foreach (var service in services)
                {
                    if (claimed.TryGetValue(service, out var first))
                    {
                        if (!ReferenceEquals(first, policy.Resource))
                        {
                            reader.Warning(node, $"spec.hosts[{h}]", $"spec.hosts[{h}] '{DiagnosticText.Cut(host)}': ServiceEntry {DiagnosticText.Cut(service.Name)} already takes its routes from VirtualService {DiagnosticText.Cut(first.DisplayName)} ({first.Location}); the first one wins.");
                        }

                        continue;
                    }

                    claimed[service] = policy.Resource;
                    attached = true;
                    foreach (var route in policy.Routes)
                    {
                        service.Http.Add(route);
                    }

                    if (service.Hosts.Count > 1)
                    {
                        reader.Warning(node, $"spec.hosts[{h}]", $"spec.hosts[{h}] '{DiagnosticText.Cut(host)}': MeshClient keeps one route list per ServiceEntry, so these routes apply to every host of ServiceEntry {DiagnosticText.Cut(service.Name)} ({DiagnosticText.Cut(string.Join(", ", service.Hosts), 500)}).");
                    }
                }
            }

            // Destinations are checked only for routes that are used (a VirtualService for unknown hosts was warned about above).
            for (var r = 0; attached && r < policy.Routes.Count; r++)
            {
                var route = policy.Routes[r];
                RouteReferences.Check(route, $"spec.http[{policy.Indexes[r]}]", index, (path, rest) => reader.Warning(policy.Spec, path, path + rest));
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
                reader.Warning(key, DiagnosticText.Cut(name, 500), $"unknown top-level field \"{DiagnosticText.Cut(name)}\" is not part of a Kubernetes object and is ignored.");
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
