using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>loadBalancer.localityLbSetting</c> (<c>enabled</c>, <c>distribute</c>, <c>failover</c>,
/// <c>failoverPriority</c>) into <see cref="LocalityLoadBalancerOptions"/>; the core validator applies
/// Istio's rules (<see cref="LocalityLbSettingValidator"/>) with the service's name and field path.
/// </summary>
internal static class LocalityLbSettingMapper
{
    public static LocalityLoadBalancerOptions? Map(ObjectReader reader, YamlMappingNode loadBalancer, string loadBalancerPath)
    {
        var path = loadBalancerPath + ".localityLbSetting";
        if (reader.Mapping(loadBalancer, "localityLbSetting", path) is not { } setting)
        {
            return null;
        }

        var options = new LocalityLoadBalancerOptions { Enabled = IstioFields.Bool(reader, setting, "enabled", path) };
        if (reader.Sequence(setting, "distribute", path + ".distribute") is { } distribute)
        {
            for (var i = 0; i < distribute.Children.Count; i++)
            {
                var entryPath = $"{path}.distribute[{i}]";
                if (distribute.Children[i] is not YamlMappingNode entry)
                {
                    reader.Error(distribute.Children[i], entryPath, $"{entryPath}: Invalid value: expected an object, found {YamlNodes.Describe(distribute.Children[i])}.");
                    continue;
                }

                var mapped = new LocalityDistributeOptions { From = reader.String(entry, "from", entryPath + ".from") };
                foreach (var (locality, weight) in reader.MapEntries(entry, "to", entryPath + ".to"))
                {
                    if (reader.Int(weight, $"{entryPath}.to.{DiagnosticText.Cut(locality)}") is { } value)
                    {
                        mapped.To[locality] = value;
                    }
                }

                options.Distribute.Add(mapped);
            }
        }

        if (reader.Sequence(setting, "failover", path + ".failover") is { } failover)
        {
            for (var i = 0; i < failover.Children.Count; i++)
            {
                var entryPath = $"{path}.failover[{i}]";
                if (failover.Children[i] is not YamlMappingNode entry)
                {
                    reader.Error(failover.Children[i], entryPath, $"{entryPath}: Invalid value: expected an object, found {YamlNodes.Describe(failover.Children[i])}.");
                    continue;
                }

                options.Failover.Add(new LocalityFailoverOptions
                {
                    From = reader.String(entry, "from", entryPath + ".from"),
                    To = reader.String(entry, "to", entryPath + ".to"),
                });
            }
        }

        foreach (var (label, _) in reader.StringList(setting, "failoverPriority", path + ".failoverPriority"))
        {
            options.FailoverPriority.Add(label);
        }

        return options;
    }
}
