using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>trafficPolicy.portLevelSettings[]</c> (of a DestinationRule or of one of its subsets): each
/// entry's <c>port.number</c> and the components MeshClient applies per port, <c>tls</c>
/// (<see cref="TlsMapper"/>), <c>outlierDetection</c> (<see cref="OutlierDetectionMapper"/>) and
/// <c>connectionPool</c> (<see cref="ConnectionPoolMapper"/>) and <c>loadBalancer</c> (as the rule's, warmup
/// included). As in Istio, an entry replaces these
/// components for its port and inherits none of them (the snapshot's <c>PortTrafficPolicies</c>).
/// </summary>
internal static class PortLevelSettingsMapper
{
    public static List<PortTrafficPolicyOptions> Map(ObjectReader reader, YamlMappingNode policy, string policyPath)
    {
        var result = new List<PortTrafficPolicyOptions>();
        var path = policyPath + ".portLevelSettings";
        if (reader.Sequence(policy, "portLevelSettings", path) is not { } entries)
        {
            return result;
        }

        for (var i = 0; i < entries.Children.Count; i++)
        {
            var entryPath = $"{path}[{i}]";
            if (entries.Children[i] is not YamlMappingNode entry)
            {
                reader.Error(entries.Children[i], entryPath, $"{entryPath}: Invalid value: expected an object, found {YamlNodes.Describe(entries.Children[i])}.");
                continue;
            }

            // Istio: "portTrafficPolicy must have valid port".
            var port = reader.Mapping(entry, "port", entryPath + ".port") is { } selector
                ? reader.Port(selector, "number", entryPath + ".port.number")
                : null;
            if (port is null)
            {
                reader.Required(entry, entryPath + ".port.number", "portTrafficPolicy must have valid port.");
                continue;
            }

            // Every entry counts, even one with only a port: it resets all the components for its port (Istio).
            var level = new PortTrafficPolicyOptions
            {
                Port = port.Value,
                Tls = TlsMapper.Map(reader, entry, entryPath),
                OutlierDetection = OutlierDetectionMapper.Map(reader, entry, entryPath),
                ConnectionPool = ConnectionPoolMapper.Map(reader, entry, entryPath),
            };
            var loadBalancerPath = entryPath + ".loadBalancer";
            if (reader.Mapping(entry, "loadBalancer", loadBalancerPath) is { } loadBalancer)
            {
                level.LoadBalancer = DestinationRuleMapper.MapLoadBalancer(reader, loadBalancer, loadBalancerPath);
            }

            result.Add(level);
        }

        return result;
    }
}
