using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Maps an Istio <c>ServiceEntry</c> onto <see cref="ExternalServiceOptions"/>, field by field. Istio
/// spellings go through <see cref="IstioNames"/>; the ServiceEntry rules themselves are the core
/// validator's (run on the result), except the few that only exist in YAML (spec and hosts presence,
/// workloadSelector).
/// </summary>
internal static class ServiceEntryMapper
{
    public static ExternalServiceOptions? Map(ObjectReader reader, YamlMappingNode root, IstioResource resource, out bool hostsMissing)
    {
        hostsMissing = false;
        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            if (YamlNodes.IsNull(YamlNodes.Get(root, "spec")))
            {
                reader.Required(root, "spec", "a ServiceEntry needs a spec with at least one host.");
            }

            return null;
        }

        Schema.Walk(reader, IstioSchemas.ServiceEntrySpec, spec, "spec", ignored: false);
        var service = new ExternalServiceOptions
        {
            Name = resource.Name is null ? null : resource.DisplayName,
            Source = resource.Location,
        };

        foreach (var (host, _) in reader.StringList(spec, "hosts", "spec.hosts"))
        {
            service.Hosts.Add(host);
        }

        foreach (var (address, _) in reader.StringList(spec, "addresses", "spec.addresses"))
        {
            service.Addresses.Add(address);
        }

        MapPorts(reader, spec, service);
        if (reader.String(spec, "location", "spec.location") is { } location)
        {
            if (IstioNames.TryParseLocation(location, out var value))
            {
                service.Location = value;
            }
            else
            {
                reader.Error(YamlNodes.Get(spec, "location")!, "spec.location", $"spec.location: Unsupported value: '{DiagnosticText.Cut(location)}': supported values: {IstioSpellings.Of<ServiceLocation>(IstioNames.Format)}.");
            }
        }

        if (reader.String(spec, "resolution", "spec.resolution") is { } resolution)
        {
            if (IstioNames.TryParseResolution(resolution, out var value))
            {
                service.Resolution = value;
            }
            else
            {
                reader.Error(YamlNodes.Get(spec, "resolution")!, "spec.resolution", $"spec.resolution: Unsupported value: '{DiagnosticText.Cut(resolution)}': supported values: {IstioSpellings.Of<ServiceResolution>(IstioNames.Format)}.");
            }
        }

        MapEndpoints(reader, spec, service);
        foreach (var (value, _) in reader.StringList(spec, "exportTo", "spec.exportTo"))
        {
            service.ExportTo.Add(value);
        }

        foreach (var (value, _) in reader.StringList(spec, "subjectAltNames", "spec.subjectAltNames"))
        {
            service.SubjectAltNames.Add(value);
        }

        CheckWorkloadSelector(reader, spec);
        if (service.Hosts.Count == 0)
        {
            // The core validator would say "hosts: Required value"; in YAML the path is spec.hosts.
            reader.Required(YamlNodes.Get(spec, "hosts") ?? spec, "spec.hosts", "a ServiceEntry needs at least one host.");
            hostsMissing = true;
        }

        return service;
    }

    private static void MapPorts(ObjectReader reader, YamlMappingNode spec, ExternalServiceOptions service)
    {
        if (reader.Sequence(spec, "ports", "spec.ports") is not { } ports)
        {
            return;
        }

        for (var i = 0; i < ports.Children.Count; i++)
        {
            var path = $"spec.ports[{i}]";
            if (ports.Children[i] is not YamlMappingNode node)
            {
                reader.Error(ports.Children[i], path, $"{path}: Invalid value: expected an object, found {YamlNodes.Describe(ports.Children[i])}.");
                continue;
            }

            var port = new ServicePortOptions
            {
                Number = reader.Port(node, "number", path + ".number") ?? 0,
                Name = reader.String(node, "name", path + ".name"),
                TargetPort = reader.Port(node, "targetPort", path + ".targetPort"),
            };
            if (reader.String(node, "protocol", path + ".protocol") is { } protocol)
            {
                if (IstioNames.TryParseProtocol(protocol, out var value))
                {
                    port.Protocol = value;
                }
                else
                {
                    reader.Error(YamlNodes.Get(node, "protocol")!, path + ".protocol", $"{path}.protocol: Unsupported value: '{DiagnosticText.Cut(protocol)}' is not an Istio protocol ({IstioSpellings.Of<ServiceProtocol>(IstioNames.Format)}).");
                }
            }

            service.Ports.Add(port);
        }
    }

    private static void MapEndpoints(ObjectReader reader, YamlMappingNode spec, ExternalServiceOptions service)
    {
        if (reader.Sequence(spec, "endpoints", "spec.endpoints") is not { } endpoints)
        {
            return;
        }

        for (var i = 0; i < endpoints.Children.Count; i++)
        {
            var path = $"spec.endpoints[{i}]";
            if (endpoints.Children[i] is not YamlMappingNode node)
            {
                reader.Error(endpoints.Children[i], path, $"{path}: Invalid value: expected an object, found {YamlNodes.Describe(endpoints.Children[i])}.");
                continue;
            }

            var endpoint = new ServiceEndpointOptions
            {
                Address = reader.String(node, "address", path + ".address"),
                Network = reader.String(node, "network", path + ".network"),
                Locality = reader.String(node, "locality", path + ".locality"),
                Weight = reader.Int(node, "weight", path + ".weight") ?? 0,
                ServiceAccount = reader.String(node, "serviceAccount", path + ".serviceAccount"),
            };
            foreach (var (name, value) in reader.MapEntries(node, "ports", path + ".ports"))
            {
                if (reader.Port(value, $"{path}.ports[{name}]") is { } number)
                {
                    endpoint.Ports[name] = number;
                }
            }

            foreach (var (name, value) in reader.MapEntries(node, "labels", path + ".labels"))
            {
                if (reader.Scalar(value, $"{path}.labels[{name}]") is { } text)
                {
                    endpoint.Labels[name] = text;
                }
            }

            service.Endpoints.Add(endpoint);
        }
    }

    private static void CheckWorkloadSelector(ObjectReader reader, YamlMappingNode spec)
    {
        var selectorNode = YamlNodes.GetKey(spec, "workloadSelector");
        if (selectorNode is null)
        {
            return;
        }

        // Istio CRD rule: has(workloadSelector) && has(endpoints) is invalid, even when empty.
        if (YamlNodes.Get(spec, "endpoints") is not null)
        {
            reader.Error(selectorNode, "spec.workloadSelector", "spec: Invalid value: only one of WorkloadSelector or Endpoints can be set.");
        }

        if (reader.Mapping(spec, "workloadSelector", "spec.workloadSelector") is { } selector)
        {
            foreach (var (key, value) in reader.MapEntries(selector, "labels", "spec.workloadSelector.labels"))
            {
                var text = reader.Scalar(value, $"spec.workloadSelector.labels[{DiagnosticText.Cut(key)}]");
                if (key.Contains('*', StringComparison.Ordinal) || (text?.Contains('*', StringComparison.Ordinal) ?? false))
                {
                    reader.Error(value, $"spec.workloadSelector.labels[{DiagnosticText.Cut(key)}]", $"spec.workloadSelector.labels[{DiagnosticText.Cut(key)}]: Invalid value: wildcard is not supported in selector.");
                }
            }
        }

        reader.NotApplicable(selectorNode, "spec.workloadSelector", "it selects pods or WorkloadEntries inside the cluster as endpoints; declare endpoints instead.");
    }
}
