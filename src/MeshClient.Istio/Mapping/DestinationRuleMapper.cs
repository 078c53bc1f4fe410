using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Validates an Istio <c>DestinationRule</c> and reads what MeshClient applies today,
/// <c>trafficPolicy.loadBalancer</c> (<c>simple</c>, including MeshClient's <c>PEAK_EWMA</c>
/// extension, and <c>consistentHash</c>), <c>trafficPolicy.outlierDetection</c>
/// (<see cref="OutlierDetectionMapper"/>), <c>trafficPolicy.connectionPool</c> (<see cref="ConnectionPoolMapper"/>) and
/// <c>trafficPolicy.tls</c> (<see cref="TlsMapper"/>) and <c>portLevelSettings[]</c> (<see cref="PortLevelSettingsMapper"/>), for the service entries whose hosts include
/// <c>spec.host</c>. The core validator checks the values (with the service's name and field path).
/// </summary>
internal static class DestinationRuleMapper
{
    public static DestinationRulePolicy? Map(ObjectReader reader, YamlMappingNode root, IstioResource resource)
    {
        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            if (YamlNodes.IsNull(YamlNodes.Get(root, "spec")))
            {
                reader.Required(root, "spec", "a DestinationRule needs a spec with a host.");
            }

            return null;
        }

        Schema.Walk(reader, IstioSchemas.DestinationRuleSpec, spec, "spec", ignored: false);
        var host = reader.String(spec, "host", "spec.host");
        if (string.IsNullOrEmpty(host))
        {
            reader.Required(YamlNodes.Get(spec, "host") ?? spec, "spec.host", "a DestinationRule needs the host of the service it applies to.");
        }

        var subsets = MapSubsets(reader, spec);
        LoadBalancerOptions? options = null;
        var policy = reader.Mapping(spec, "trafficPolicy", "spec.trafficPolicy");
        var outlierDetection = policy is null ? null : OutlierDetectionMapper.Map(reader, policy, "spec.trafficPolicy");
        var connectionPool = policy is null ? null : ConnectionPoolMapper.Map(reader, policy, "spec.trafficPolicy");
        if (policy is not null
            && reader.Mapping(policy, "loadBalancer", "spec.trafficPolicy.loadBalancer") is { } loadBalancer)
        {
            options = MapLoadBalancer(reader, loadBalancer, "spec.trafficPolicy.loadBalancer");
        }

        var tls = policy is null ? null : TlsMapper.Map(reader, policy, "spec.trafficPolicy");
        var portLevel = policy is null ? [] : PortLevelSettingsMapper.Map(reader, policy, "spec.trafficPolicy");
        return string.IsNullOrEmpty(host) ? null : new DestinationRulePolicy(resource, host, options, YamlNodes.Get(spec, "host")!)
        {
            OutlierDetection = outlierDetection,
            ConnectionPool = connectionPool,
            Tls = tls,
            PortLevelSettings = portLevel,
            Subsets = subsets,
            RetryBudget = policy is null ? null : HttpRetryMapper.MapBudget(reader, policy, "spec.trafficPolicy"),
            ProxyProtocol = policy is null ? null : MapProxyProtocol(reader, policy, "spec.trafficPolicy"),
        };
    }

    /// <summary><c>proxyProtocol</c>: <c>version</c> <c>V1</c> (Istio's default) or <c>V2</c>.</summary>
    internal static ProxyProtocolOptions? MapProxyProtocol(ObjectReader reader, YamlMappingNode policy, string path)
    {
        if (reader.Mapping(policy, "proxyProtocol", path + ".proxyProtocol") is not { } proxyProtocol)
        {
            return null;
        }

        var versionPath = path + ".proxyProtocol.version";
        switch (reader.String(proxyProtocol, "version", versionPath))
        {
            case null or "V1":
                return new ProxyProtocolOptions { Version = ProxyProtocolVersion.V1 };
            case "V2":
                return new ProxyProtocolOptions { Version = ProxyProtocolVersion.V2 };
            case var other:
                reader.Error(YamlNodes.Get(proxyProtocol, "version")!, versionPath, $"{versionPath}: Unsupported value: '{DiagnosticText.Cut(other)}': supported values: V1, V2.");
                return null;
        }
    }

    /// <summary>A <c>loadBalancer</c> block, wherever it stands (the rule, a subset, a port-level entry): algorithm, consistent hash, locality and warmup.</summary>
    internal static LoadBalancerOptions MapLoadBalancer(ObjectReader reader, YamlMappingNode loadBalancer, string path)
    {
        var options = new LoadBalancerOptions();
        var simplePath = path + ".simple";
        if (reader.String(loadBalancer, "simple", simplePath) is { } simple)
        {
            var simpleNode = YamlNodes.Get(loadBalancer, "simple")!;
            if (!IstioNames.TryParseLoadBalancer(simple, out var value))
            {
                reader.Error(simpleNode, simplePath, $"{simplePath}: Unsupported value: '{DiagnosticText.Cut(simple)}': supported values: {IstioSpellings.Of<LoadBalancerAlgorithm>(IstioNames.Format)}.");
            }
            else
            {
                options.Simple = value;
                if (IstioNames.IsExtension(value))
                {
                    reader.Warning(simpleNode, simplePath, $"field {simplePath} {DiagnosticText.Cut(simple)} is a MeshClient extension: Istio itself rejects this value, so keep this DestinationRule out of a real mesh.");
                }
            }
        }

        var hashPath = path + ".consistentHash";
        if (reader.Mapping(loadBalancer, "consistentHash", hashPath) is { } hash)
        {
            options.ConsistentHash = MapConsistentHash(reader, hash, hashPath);
        }

        options.LocalityLbSetting = LocalityLbSettingMapper.Map(reader, loadBalancer, path);
        options.Warmup = MapWarmup(reader, loadBalancer, path);
        return options;
    }

    private static ConsistentHashOptions MapConsistentHash(ObjectReader reader, YamlMappingNode hash, string path)
    {
        var options = new ConsistentHashOptions
        {
            HttpHeaderName = reader.String(hash, "httpHeaderName", path + ".httpHeaderName"),
            HttpQueryParameterName = reader.String(hash, "httpQueryParameterName", path + ".httpQueryParameterName"),
            UseSourceIp = Bool(reader, hash, "useSourceIp", path + ".useSourceIp") ?? false,
        };

        if (reader.Mapping(hash, "httpCookie", path + ".httpCookie") is { } cookie)
        {
            options.HttpCookie = new HttpCookieOptions
            {
                Name = reader.String(cookie, "name", path + ".httpCookie.name"),
                Path = reader.String(cookie, "path", path + ".httpCookie.path"),
                Ttl = Duration(reader, cookie, "ttl", path + ".httpCookie.ttl"),
            };
            if (reader.Sequence(cookie, "attributes", path + ".httpCookie.attributes") is { } attributes)
            {
                for (var i = 0; i < attributes.Children.Count; i++)
                {
                    // An entry that is not an object stays in place (nameless), so that the core's findings keep its index.
                    var attributePath = $"{path}.httpCookie.attributes[{i}]";
                    options.HttpCookie.Attributes.Add(attributes.Children[i] is YamlMappingNode attribute
                        ? new HttpCookieAttributeOptions { Name = reader.String(attribute, "name", attributePath + ".name"), Value = reader.String(attribute, "value", attributePath + ".value") }
                        : new HttpCookieAttributeOptions());
                }
            }
        }

        if (reader.Mapping(hash, "ringHash", path + ".ringHash") is { } ring)
        {
            options.RingHash = new RingHashOptions();
            if (reader.Int(ring, "minimumRingSize", path + ".ringHash.minimumRingSize") is { } size)
            {
                options.RingHash.MinimumRingSize = size;
            }
        }
        else if (reader.Int(hash, "minimumRingSize", path + ".minimumRingSize") is { } deprecatedSize)
        {
            // The deprecated top-level field means ring hash too.
            options.RingHash = new RingHashOptions { MinimumRingSize = deprecatedSize };
        }

        if (reader.Mapping(hash, "maglev", path + ".maglev") is { } maglev)
        {
            options.Maglev = new MaglevOptions();
            if (reader.Int(maglev, "tableSize", path + ".maglev.tableSize") is { } size)
            {
                options.Maglev.TableSize = size;
            }
        }

        return options;
    }

    private static bool? Bool(ObjectReader reader, YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        if (YamlNodes.IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
        {
            return value;
        }

        reader.Error(node!, path, $"{path}: Invalid value: {YamlNodes.Describe(node!)} is not a boolean.");
        return null;
    }

    /// <summary>A protobuf duration as Istio writes it (<c>0s</c>, <c>1.5s</c>, <c>100ms</c>, <c>1h</c>, <c>2m</c>).</summary>
    private static TimeSpan? Duration(ObjectReader reader, YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        if (YamlNodes.IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && IstioDuration.TryParse(text, out var value))
        {
            return value;
        }

        reader.Error(node!, path, $"{path}: Invalid value: {YamlNodes.Describe(node!)} is not a duration (for example 10s or 100ms).");
        return null;
    }

    /// <summary>Reads <c>spec.subsets</c>: names (required, unique), labels and each subset's traffic policy.</summary>
    private static List<SubsetOptions> MapSubsets(ObjectReader reader, YamlMappingNode spec)
    {
        var result = new List<SubsetOptions>();
        if (reader.Sequence(spec, "subsets", "spec.subsets") is not { } subsets)
        {
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < subsets.Children.Count; i++)
        {
            if (subsets.Children[i] is not YamlMappingNode subset)
            {
                continue;
            }

            var path = $"spec.subsets[{i}].name";
            var name = reader.String(subset, "name", path);
            if (string.IsNullOrEmpty(name))
            {
                reader.Required(subset, path, "every subset needs a name.");
                continue;
            }

            if (!names.Add(name))
            {
                reader.Error(YamlNodes.Get(subset, "name")!, path, $"{path}: Duplicate value: '{DiagnosticText.Cut(name)}'.");
                continue;
            }

            var options = new SubsetOptions { Name = name };
            foreach (var (label, value) in reader.MapEntries(subset, "labels", $"spec.subsets[{i}].labels"))
            {
                if (reader.Scalar(value, $"spec.subsets[{i}].labels.{DiagnosticText.Cut(label)}") is { } text)
                {
                    options.Labels[label] = text;
                }
            }

            var policyPath = $"spec.subsets[{i}].trafficPolicy";
            if (reader.Mapping(subset, "trafficPolicy", policyPath) is { } policy)
            {
                options.TrafficPolicy = new TrafficPolicyOptions
                {
                    OutlierDetection = OutlierDetectionMapper.Map(reader, policy, policyPath),
                    ConnectionPool = ConnectionPoolMapper.Map(reader, policy, policyPath),
                    Tls = TlsMapper.Map(reader, policy, policyPath),
                    RetryBudget = HttpRetryMapper.MapBudget(reader, policy, policyPath),
                    ProxyProtocol = MapProxyProtocol(reader, policy, policyPath),
                };
                foreach (var portLevel in PortLevelSettingsMapper.Map(reader, policy, policyPath))
                {
                    options.TrafficPolicy.PortLevelSettings.Add(portLevel);
                }

                if (reader.Mapping(policy, "loadBalancer", policyPath + ".loadBalancer") is { } loadBalancer)
                {
                    options.TrafficPolicy.LoadBalancer = MapLoadBalancer(reader, loadBalancer, policyPath + ".loadBalancer");
                }
            }

            result.Add(options);
        }

        return result;
    }

    /// <summary>
    /// <c>warmup</c> (Istio CRD rules, destinationrule-invalid.yaml: duration required, minimumPercent
    /// 0-100, aggression ≥ 1), or the older <c>warmupDurationSecs</c> when there is no <c>warmup</c>.
    /// </summary>
    private static WarmupOptions? MapWarmup(ObjectReader reader, YamlMappingNode loadBalancer, string parent)
    {
        var path = parent + ".warmup";
        if (reader.Mapping(loadBalancer, "warmup", path) is not { } warmup)
        {
            return IstioFields.Duration(reader, loadBalancer, "warmupDurationSecs", parent) is { } seconds ? new WarmupOptions { Duration = seconds } : null;
        }

        var valid = true;
        if (YamlNodes.IsNull(YamlNodes.Get(warmup, "duration")))
        {
            reader.Required(warmup, path + ".duration", "warmup needs a duration.");
            valid = false;
        }

        var duration = IstioFields.Duration(reader, warmup, "duration", path);
        var options = new WarmupOptions { Duration = duration ?? TimeSpan.Zero };
        if (reader.Double(warmup, "minimumPercent", path + ".minimumPercent") is { } percent)
        {
            if (percent is < 0 or > 100)
            {
                reader.Error(YamlNodes.Get(warmup, "minimumPercent")!, path + ".minimumPercent", $"{path}.minimumPercent: Invalid value: {percent}: must be between 0 and 100.");
                valid = false;
            }

            options.MinimumPercent = percent;
        }

        if (reader.Double(warmup, "aggression", path + ".aggression") is { } aggression)
        {
            if (aggression < 1)
            {
                reader.Error(YamlNodes.Get(warmup, "aggression")!, path + ".aggression", $"{path}.aggression: Invalid value: {aggression}: must be at least 1.");
                valid = false;
            }

            options.Aggression = aggression;
        }

        return valid && duration is not null ? options : null;
    }
}

/// <summary>What a DestinationRule asks of the services with its host; <paramref name="Node"/> is the <c>spec.host</c> value.</summary>
internal sealed record DestinationRulePolicy(IstioResource Resource, string Host, LoadBalancerOptions? LoadBalancer, YamlNode Node)
{
    /// <summary>The DR-level <c>trafficPolicy.outlierDetection</c>, or <see langword="null"/> when absent.</summary>
    public OutlierDetectionOptions? OutlierDetection { get; init; }

    /// <summary>The DR-level <c>trafficPolicy.connectionPool</c>, or <see langword="null"/> when absent.</summary>
    public ConnectionPoolOptions? ConnectionPool { get; init; }

    /// <summary>The DR-level <c>trafficPolicy.tls</c>, or <see langword="null"/> when absent.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>The <c>trafficPolicy.portLevelSettings</c> entries (each with a valid port).</summary>
    public IReadOnlyList<PortTrafficPolicyOptions> PortLevelSettings { get; init; } = [];

    /// <summary>Whether the rule sets anything MeshClient applies.</summary>
    public bool HasPolicy => LoadBalancer is not null || OutlierDetection is not null || ConnectionPool is not null || Tls is not null || PortLevelSettings.Count > 0 || RetryBudget is not null || ProxyProtocol is not null;

    /// <summary>The rule's <c>subsets</c>.</summary>
    public List<SubsetOptions> Subsets { get; init; } = [];

    /// <summary>The DR-level <c>trafficPolicy.retryBudget</c>, or <see langword="null"/> when absent.</summary>
    public RetryBudgetOptions? RetryBudget { get; init; }

    /// <summary>The DR-level <c>trafficPolicy.proxyProtocol</c>, or <see langword="null"/> when absent.</summary>
    public ProxyProtocolOptions? ProxyProtocol { get; init; }
}
