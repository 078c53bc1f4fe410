using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Validates an Istio <c>DestinationRule</c> and reads the fields MeshClient applies today:
/// <c>trafficPolicy.outlierDetection</c> (<see cref="OutlierDetectionMapper"/>) and
/// <c>trafficPolicy.loadBalancer.simple</c>: <c>ROUND_ROBIN</c> is applied to the service entries
/// whose hosts include <c>spec.host</c>; other algorithms (including Istio's default
/// <c>LEAST_REQUEST</c>) are a warning and leave the algorithm unset, so MeshClient keeps round robin.
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

        ValidateSubsets(reader, spec);
        LoadBalancerAlgorithm? algorithm = null;
        YamlNode? simpleNode = null;
        var policy = reader.Mapping(spec, "trafficPolicy", "spec.trafficPolicy");
        var outlierDetection = policy is null ? null : OutlierDetectionMapper.Map(reader, policy, "spec.trafficPolicy");
        if (policy is not null
            && reader.Mapping(policy, "loadBalancer", "spec.trafficPolicy.loadBalancer") is { } loadBalancer)
        {
            ValidateWarmup(reader, loadBalancer);
            simpleNode = YamlNodes.Get(loadBalancer, "simple");
            if (reader.String(loadBalancer, "simple", "spec.trafficPolicy.loadBalancer.simple") is { } simple)
            {
                const string Path = "spec.trafficPolicy.loadBalancer.simple";
                if (!IstioNames.TryParseLoadBalancer(simple, out var value))
                {
                    reader.Error(simpleNode!, Path, $"{Path}: Unsupported value: '{DiagnosticText.Cut(simple)}': supported values: {IstioSpellings.Of<LoadBalancerAlgorithm>(IstioNames.Format)}.");
                }
                else if (value == LoadBalancerAlgorithm.RoundRobin)
                {
                    algorithm = value;
                }
                else if (value != LoadBalancerAlgorithm.Unspecified)
                {
                    // Deliberately a warning, not the core "not supported yet" error: LEAST_REQUEST is
                    // Istio's default and common in existing mesh YAML; see docs/istio-configuration.md.
                    reader.Warning(simpleNode!, Path, $"field {Path} {DiagnosticText.Cut(simple)} is not supported yet and is ignored; MeshClient balances with round robin.");
                }
            }
        }

        return string.IsNullOrEmpty(host) ? null : new DestinationRulePolicy(resource, host, algorithm, YamlNodes.Get(spec, "host")!) { OutlierDetection = outlierDetection };
    }

    private static void ValidateSubsets(ObjectReader reader, YamlMappingNode spec)
    {
        if (reader.Sequence(spec, "subsets", "spec.subsets") is not { } subsets)
        {
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < subsets.Children.Count; i++)
        {
            if (subsets.Children[i] is YamlMappingNode subset)
            {
                var path = $"spec.subsets[{i}].name";
                var name = reader.String(subset, "name", path);
                if (string.IsNullOrEmpty(name))
                {
                    reader.Required(subset, path, "every subset needs a name.");
                }
                else if (!names.Add(name))
                {
                    reader.Error(YamlNodes.Get(subset, "name")!, path, $"{path}: Duplicate value: '{DiagnosticText.Cut(name)}'.");
                }
            }
        }
    }

    // Istio CRD rules for warmup (destinationrule-invalid.yaml): duration required, minimumPercent 0-100, aggression >= 1.
    private static void ValidateWarmup(ObjectReader reader, YamlMappingNode loadBalancer)
    {
        const string Path = "spec.trafficPolicy.loadBalancer.warmup";
        if (reader.Mapping(loadBalancer, "warmup", Path) is not { } warmup)
        {
            return;
        }

        if (YamlNodes.IsNull(YamlNodes.Get(warmup, "duration")))
        {
            reader.Required(warmup, Path + ".duration", "warmup needs a duration.");
        }

        if (reader.Double(warmup, "minimumPercent", Path + ".minimumPercent") is { } percent and (< 0 or > 100))
        {
            reader.Error(YamlNodes.Get(warmup, "minimumPercent")!, Path + ".minimumPercent", $"{Path}.minimumPercent: Invalid value: {percent}: must be between 0 and 100.");
        }

        if (reader.Double(warmup, "aggression", Path + ".aggression") is { } aggression and < 1)
        {
            reader.Error(YamlNodes.Get(warmup, "aggression")!, Path + ".aggression", $"{Path}.aggression: Invalid value: {aggression}: must be at least 1.");
        }
    }
}

/// <summary>What a DestinationRule asks of the services with its host; <paramref name="Node"/> is the <c>spec.host</c> value.</summary>
internal sealed record DestinationRulePolicy(IstioResource Resource, string Host, LoadBalancerAlgorithm? Algorithm, YamlNode Node)
{
    /// <summary>The DR-level <c>trafficPolicy.outlierDetection</c>, or <see langword="null"/> when absent.</summary>
    public OutlierDetectionOptions? OutlierDetection { get; init; }
}
