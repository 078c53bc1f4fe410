using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Validates the structure of an Istio <c>VirtualService</c> (istio.io/latest/docs/reference/config/networking/virtual-service/): hosts (unless it is a
/// delegate) not <c>*</c> for the mesh, HTTP routes need a destination, redirect, direct response or delegate,
/// destinations need a host, weights are non-negative and not all zero. Routing is not applied yet:
/// every field present is warned about by the schema walk.
/// </summary>
internal static class VirtualServiceValidator
{
    public static void Validate(ObjectReader reader, YamlMappingNode root)
    {
        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            if (YamlNodes.IsNull(YamlNodes.Get(root, "spec")))
            {
                reader.Required(root, "spec", "a VirtualService needs a spec with hosts and routes.");
            }

            return;
        }

        Schema.Walk(reader, IstioSchemas.VirtualServiceSpec, spec, "spec", ignored: false);
        var hosts = reader.StringList(spec, "hosts", "spec.hosts");
        var gateways = reader.StringList(spec, "gateways", "spec.gateways");

        // As in Istio, a VirtualService without hosts is a delegate (referenced by another one's
        // http[].delegate): it needs no hosts, but must not bind to gateways or delegate again.
        var isDelegate = hosts.Count == 0;
        if (isDelegate && gateways.Count > 0)
        {
            reader.Error(YamlNodes.Get(spec, "gateways")!, "spec.gateways", "spec.gateways: Invalid value: gateways should not be specified for a delegate virtual service (one without hosts).");
        }

        var forMesh = gateways.Count == 0 || gateways.Exists(static g => g.Value == "mesh");
        for (var i = 0; i < hosts.Count; i++)
        {
            if (hosts[i].Value == "*" && forMesh)
            {
                reader.Error(hosts[i].Node, $"spec.hosts[{i}]", $"spec.hosts[{i}]: Invalid value: wildcard host * is not allowed for virtual services bound to the mesh gateway.");
            }
        }

        if (reader.Sequence(spec, "http", "spec.http") is not { } http)
        {
            return;
        }

        for (var i = 0; i < http.Children.Count; i++)
        {
            var path = $"spec.http[{i}]";
            if (http.Children[i] is not YamlMappingNode rule)
            {
                reader.Error(http.Children[i], path, $"{path}: Invalid value: expected an object, found {YamlNodes.Describe(http.Children[i])}.");
                continue;
            }

            ValidateHttpRoute(reader, rule, path);
            if (isDelegate && !YamlNodes.IsNull(YamlNodes.Get(rule, "delegate")))
            {
                reader.Error(YamlNodes.Get(rule, "delegate")!, path + ".delegate", $"{path}.delegate: Invalid value: a delegate virtual service (one without hosts) cannot delegate again.");
            }
        }
    }

    private static void ValidateHttpRoute(ObjectReader reader, YamlMappingNode rule, string path)
    {
        var route = reader.Sequence(rule, "route", path + ".route");
        var hasRoute = route is { Children.Count: > 0 };
        var others = 0;
        foreach (var key in (ReadOnlySpan<string>)["redirect", "directResponse", "delegate"])
        {
            others += YamlNodes.IsNull(YamlNodes.Get(rule, key)) ? 0 : 1;
        }

        if (!hasRoute && others == 0)
        {
            reader.Error(rule, path, $"{path}: Invalid value: HTTP route, redirect, direct response or delegate is required.");
        }
        else if (hasRoute && others > 0)
        {
            reader.Error(rule, path, $"{path}: Invalid value: route cannot be combined with redirect, directResponse or delegate.");
        }

        if (route is null)
        {
            return;
        }

        long total = 0;
        for (var j = 0; j < route.Children.Count; j++)
        {
            var destinationPath = $"{path}.route[{j}]";
            if (route.Children[j] is not YamlMappingNode destination)
            {
                reader.Error(route.Children[j], destinationPath, $"{destinationPath}: Invalid value: expected an object, found {YamlNodes.Describe(route.Children[j])}.");
                continue;
            }

            var target = reader.Mapping(destination, "destination", destinationPath + ".destination");
            if (target is null || string.IsNullOrEmpty(reader.String(target, "host", destinationPath + ".destination.host")))
            {
                reader.Required(target ?? (YamlNode)destination, destinationPath + ".destination.host", "every route destination needs a host.");
            }

            if (reader.Int(destination, "weight", destinationPath + ".weight") is { } weight)
            {
                if (weight < 0)
                {
                    reader.Error(YamlNodes.Get(destination, "weight")!, destinationPath + ".weight", $"{destinationPath}.weight: Invalid value: {weight}: weight must not be negative.");
                }
                else
                {
                    total += weight;
                }
            }
        }

        if (route.Children.Count > 1 && total == 0)
        {
            reader.Error(route, path + ".route", $"{path}.route: Invalid value: total destination weight is 0; with more than one destination at least one weight must be positive.");
        }
    }
}
