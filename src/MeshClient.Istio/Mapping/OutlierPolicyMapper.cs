using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>A valid <c>OutlierPolicy</c>: the host it applies to and the Envoy settings Istio does not expose.</summary>
internal sealed record OutlierPolicy(IstioResource Resource, string Host, YamlNode HostNode, ObjectReader Reader) : IExtensionPolicy
{
    public SuccessRateEjectionOptions? SuccessRate { get; init; }

    public FailurePercentageEjectionOptions? FailurePercentage { get; init; }

    public TimeSpan? MaxEjectionTime { get; init; }

    public bool? AlwaysEjectOneHost { get; init; }
}

/// <summary>
/// MeshClient's extension kind <c>OutlierPolicy</c> (<c>apiVersion: meshclient.io/v1alpha1</c>): Envoy's
/// outlier-detection settings that Istio's <c>DestinationRule.trafficPolicy.outlierDetection</c> lacks
/// (success-rate and failure-percentage ejection, <c>max_ejection_time</c>, <c>always_eject_one_host</c>),
/// for the ServiceEntries whose hosts include <c>spec.host</c> (matched as a DestinationRule's host).
/// <code>
/// spec:
///   host: api.example.com
///   successRate: {minimumHosts: 5, requestVolume: 100, stdevFactor: 1900, enforcementPercentage: 100}
///   failurePercentage: {threshold: 85, minimumHosts: 5, requestVolume: 50, enforcementPercentage: 100}
///   maxEjectionTime: 300s
///   alwaysEjectOneHost: true
/// </code>
/// The fields complete the service's outlier detection (the DestinationRule's, its subsets' and its ports');
/// without a DestinationRule <c>outlierDetection</c> the policy turns detection on with Istio's defaults, and
/// says so. Values are checked by the core validator, each finding at its <c>spec.</c> field.
/// </summary>
internal static class OutlierPolicyMapper
{
    public const string Kind = "OutlierPolicy";

    private static readonly Schema Spec = Schema.Object(
        new Field("host", Schema.Scalar),
        new Field("successRate", Schema.Object(
            new Field("minimumHosts", Schema.Scalar),
            new Field("requestVolume", Schema.Scalar),
            new Field("stdevFactor", Schema.Scalar),
            new Field("enforcementPercentage", Schema.Scalar))),
        new Field("failurePercentage", Schema.Object(
            new Field("threshold", Schema.Scalar),
            new Field("minimumHosts", Schema.Scalar),
            new Field("requestVolume", Schema.Scalar),
            new Field("enforcementPercentage", Schema.Scalar))),
        new Field("maxEjectionTime", Schema.Scalar),
        new Field("alwaysEjectOneHost", Schema.Scalar));

    /// <summary>Reads one object; <see langword="null"/> when it has an error (it is then rejected and not used).</summary>
    public static OutlierPolicy? Map(ObjectReader reader, YamlMappingNode root, IstioResource resource)
    {
        var errors = reader.ErrorCount;
        if (ExtensionKinds.HostSpec(reader, root, resource, Kind, Spec, out var host) is not { } spec)
        {
            return null;
        }

        var outlier = new OutlierDetectionOptions
        {
            SuccessRate = ExtensionKinds.Block(reader, spec, "successRate") is { } successRate ? MapSuccessRate(reader, successRate) : null,
            FailurePercentage = ExtensionKinds.Block(reader, spec, "failurePercentage") is { } failurePercentage ? MapFailurePercentage(reader, failurePercentage) : null,
            MaxEjectionTime = IstioFields.Duration(reader, spec, "maxEjectionTime", "spec"),
        };
        var alwaysEjectOneHost = IstioFields.Bool(reader, spec, "alwaysEjectOneHost", "spec");
        if (reader.ErrorCount == errors)
        {
            Validate(reader, spec, outlier);
        }

        return string.IsNullOrEmpty(host) || reader.ErrorCount != errors ? null : new OutlierPolicy(resource, host, YamlNodes.Get(spec, "host")!, reader)
        {
            SuccessRate = outlier.SuccessRate,
            FailurePercentage = outlier.FailurePercentage,
            MaxEjectionTime = outlier.MaxEjectionTime,
            AlwaysEjectOneHost = alwaysEjectOneHost,
        };
    }

    /// <summary>Gives each policy to the ServiceEntries with its host; the first policy for an entry wins.</summary>
    public static void Apply(IReadOnlyList<OutlierPolicy> policies, IEnumerable<ExternalServiceOptions> services) =>
        ExtensionPolicies.Apply(policies, services, $"{Kind} has no effect (MeshClient only knows hosts declared by ServiceEntries).", $"outlier settings from {Kind}", Assign);

    /// <summary>
    /// Completes every outlier detection of the service. A DestinationRule's objects are shared by all the
    /// services with its host, so each one is copied before it is completed: a policy for another host of
    /// a service must not reach the services that share its rule.
    /// </summary>
    private static void Assign(ExternalServiceOptions service, OutlierPolicy policy)
    {
        var own = service.TrafficPolicy.OutlierDetection;
        if (own is null)
        {
            policy.Reader.Warning(policy.HostNode, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}': ServiceEntry {DiagnosticText.Cut(service.Name)} has no DestinationRule outlierDetection, so the {Kind} turns outlier detection on with Istio's defaults (consecutive5xxErrors 5, baseEjectionTime 30s, maxEjectionPercent 10).");
        }

        service.TrafficPolicy.OutlierDetection = Completed(own ?? new OutlierDetectionOptions(), policy);
        CompletePortLevels(service.TrafficPolicy.PortLevelSettings, policy);
        for (var i = 0; i < service.Subsets.Count; i++)
        {
            if (service.Subsets[i] is not { TrafficPolicy: { } subsetPolicy } subset)
            {
                continue;
            }

            var copy = new TrafficPolicyOptions
            {
                LoadBalancer = subsetPolicy.LoadBalancer,
                OutlierDetection = subsetPolicy.OutlierDetection is { } outlier ? Completed(outlier, policy) : null,
                ConnectionPool = subsetPolicy.ConnectionPool,
                Tls = subsetPolicy.Tls,
                RetryBudget = subsetPolicy.RetryBudget,
                ProxyProtocol = subsetPolicy.ProxyProtocol,
            };
            foreach (var level in subsetPolicy.PortLevelSettings)
            {
                copy.PortLevelSettings.Add(level);
            }

            CompletePortLevels(copy.PortLevelSettings, policy);
            var replaced = new SubsetOptions { Name = subset.Name, TrafficPolicy = copy };
            foreach (var (key, value) in subset.Labels)
            {
                replaced.Labels[key] = value;
            }

            service.Subsets[i] = replaced;
        }
    }

    private static void CompletePortLevels(IList<PortTrafficPolicyOptions> levels, OutlierPolicy policy)
    {
        for (var i = 0; i < levels.Count; i++)
        {
            if (levels[i] is { OutlierDetection: { } outlier } level)
            {
                levels[i] = new PortTrafficPolicyOptions { Port = level.Port, Tls = level.Tls, OutlierDetection = Completed(outlier, policy), ConnectionPool = level.ConnectionPool, LoadBalancer = level.LoadBalancer };
            }
        }
    }

    /// <summary>A copy of <paramref name="outlier"/> with the policy's fields set.</summary>
    private static OutlierDetectionOptions Completed(OutlierDetectionOptions outlier, OutlierPolicy policy)
    {
        var copy = new OutlierDetectionOptions
        {
            Consecutive5xxErrors = outlier.Consecutive5xxErrors,
            ConsecutiveGatewayErrors = outlier.ConsecutiveGatewayErrors,
            SplitExternalLocalOriginErrors = outlier.SplitExternalLocalOriginErrors,
            ConsecutiveLocalOriginFailures = outlier.ConsecutiveLocalOriginFailures,
            Interval = outlier.Interval,
            BaseEjectionTime = outlier.BaseEjectionTime,
            MaxEjectionTime = policy.MaxEjectionTime ?? outlier.MaxEjectionTime,
            MaxEjectionPercent = outlier.MaxEjectionPercent,
            AlwaysEjectOneHost = policy.AlwaysEjectOneHost ?? outlier.AlwaysEjectOneHost,
            MinHealthPercent = outlier.MinHealthPercent,
            SuccessRate = policy.SuccessRate ?? outlier.SuccessRate,
            FailurePercentage = policy.FailurePercentage ?? outlier.FailurePercentage,
        };
        foreach (var code in outlier.HttpErrorCodes)
        {
            copy.HttpErrorCodes.Add(code);
        }

        return copy;
    }

    private static SuccessRateEjectionOptions MapSuccessRate(ObjectReader reader, YamlMappingNode block)
    {
        var options = new SuccessRateEjectionOptions();
        options.MinimumHosts = reader.Int(block, "minimumHosts", "spec.successRate.minimumHosts") ?? options.MinimumHosts;
        options.RequestVolume = reader.Int(block, "requestVolume", "spec.successRate.requestVolume") ?? options.RequestVolume;
        options.StdevFactor = reader.Int(block, "stdevFactor", "spec.successRate.stdevFactor") ?? options.StdevFactor;
        options.EnforcementPercentage = reader.Int(block, "enforcementPercentage", "spec.successRate.enforcementPercentage") ?? options.EnforcementPercentage;
        return options;
    }

    private static FailurePercentageEjectionOptions MapFailurePercentage(ObjectReader reader, YamlMappingNode block)
    {
        var options = new FailurePercentageEjectionOptions();
        options.Threshold = reader.Int(block, "threshold", "spec.failurePercentage.threshold") ?? options.Threshold;
        options.MinimumHosts = reader.Int(block, "minimumHosts", "spec.failurePercentage.minimumHosts") ?? options.MinimumHosts;
        options.RequestVolume = reader.Int(block, "requestVolume", "spec.failurePercentage.requestVolume") ?? options.RequestVolume;
        options.EnforcementPercentage = reader.Int(block, "enforcementPercentage", "spec.failurePercentage.enforcementPercentage") ?? options.EnforcementPercentage;
        return options;
    }

    /// <summary>
    /// The core rules (counts, percents, volume, <c>maxEjectionTime</c>), reported at the policy's fields:
    /// <c>trafficPolicy.outlierDetection.successRate.requestVolume</c> becomes <c>spec.successRate.requestVolume</c>.
    /// </summary>
    private static void Validate(ObjectReader reader, YamlMappingNode spec, OutlierDetectionOptions outlier)
    {
        const string Prefix = "trafficPolicy.outlierDetection.";
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Dns };
        service.Hosts.Add("outlier-policy.invalid");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.TrafficPolicy.OutlierDetection = outlier;
        var probe = new MeshOptions();
        probe.ExternalServices.Add(service);
        foreach (var finding in MeshConfigurationValidator.Validate(probe))
        {
            if (!finding.IsError || finding.FieldPath is not { } path || !path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var field = "spec." + path[Prefix.Length..];
            var detail = "spec." + (finding.Detail ?? path)[Prefix.Length..];
            var dot = field.IndexOf('.', "spec.".Length);
            var node = YamlNodes.Get(spec, dot < 0 ? field["spec.".Length..] : field["spec.".Length..dot]) ?? spec;
            if (dot >= 0 && node is YamlMappingNode block)
            {
                node = YamlNodes.Get(block, field[(dot + 1)..]) ?? node;
            }

            reader.Error(node, field, detail);
        }
    }
}
