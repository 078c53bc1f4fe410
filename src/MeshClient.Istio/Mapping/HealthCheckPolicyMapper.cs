using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>A valid <c>HealthCheckPolicy</c>: the host it applies to and its checks.</summary>
internal sealed record HealthCheckPolicy(IstioResource Resource, string Host, YamlNode HostNode, HealthCheckOptions Options, ObjectReader Reader) : IExtensionPolicy;

/// <summary>
/// MeshClient's extension kind <c>HealthCheckPolicy</c> (<c>apiVersion: meshclient.io/v1alpha1</c>):
/// active health checks for the ServiceEntries whose hosts include <c>spec.host</c> (matched as a
/// DestinationRule's host). Every field is read with its <c>file:line</c>, then the whole policy is
/// validated by the core validator with its <c>spec.*</c> paths; a policy with an error is rejected.
/// </summary>
internal static class HealthCheckPolicyMapper
{
    public const string Kind = "HealthCheckPolicy";

    public const string ApiVersion = "meshclient.io/v1alpha1";

    /// <summary>Whether the loader should hand the object to this mapper (any <c>meshclient.io</c> version of the kind).</summary>
    public static bool Handles(string apiVersion, string kind) =>
        kind == Kind && apiVersion.StartsWith("meshclient.io/", StringComparison.Ordinal);

    public static HealthCheckPolicy? Map(ObjectReader reader, YamlMappingNode root, IstioResource resource)
    {
        var errors = reader.ErrorCount;
        if (ExtensionKinds.HostSpec(reader, root, resource, Kind, IstioSchemas.HealthCheckPolicySpec, out var host, "a spec with a host and a check (http or tcp)", "the host of the service it checks") is not { } spec)
        {
            return null;
        }

        var options = new HealthCheckOptions();
        if (IstioFields.Duration(reader, spec, "interval", "spec") is { } interval)
        {
            options.Interval = interval;
        }

        if (IstioFields.Duration(reader, spec, "intervalJitter", "spec", allowZero: true) is { } jitter)
        {
            options.IntervalJitter = jitter;
        }

        if (IstioFields.Duration(reader, spec, "timeout", "spec") is { } timeout)
        {
            options.Timeout = timeout;
        }

        if (reader.Int(spec, "unhealthyThreshold", "spec.unhealthyThreshold") is { } unhealthy)
        {
            options.UnhealthyThreshold = unhealthy;
        }

        if (reader.Int(spec, "healthyThreshold", "spec.healthyThreshold") is { } healthy)
        {
            options.HealthyThreshold = healthy;
        }

        options.NoTrafficUntilHealthy = IstioFields.Bool(reader, spec, "noTrafficUntilHealthy", "spec") ?? false;
        if (reader.Mapping(spec, "http", "spec.http") is { } http)
        {
            options.Http = MapHttp(reader, http);
        }

        if (YamlNodes.Get(spec, "tcp") is { } tcp && (tcp is YamlMappingNode || YamlNodes.IsNull(tcp)))
        {
            options.Tcp = new TcpHealthCheckOptions();
        }

        if (reader.ErrorCount == errors)
        {
            Validate(reader, spec, host ?? string.Empty, options);
        }

        return string.IsNullOrEmpty(host) || reader.ErrorCount != errors ? null : new HealthCheckPolicy(resource, host, YamlNodes.Get(spec, "host")!, options, reader);
    }

    /// <summary>Links each policy to the ServiceEntries with its host; the first policy for an entry wins.</summary>
    public static void Apply(IReadOnlyList<HealthCheckPolicy> policies, IEnumerable<ExternalServiceOptions> services) =>
        ExtensionPolicies.Apply(policies, services, $"{Kind} has no effect (MeshClient only knows hosts declared by ServiceEntries).", $"health checks from {Kind}", static (service, policy) => service.HealthCheck = policy.Options);

    private static HttpHealthCheckOptions MapHttp(ObjectReader reader, YamlMappingNode http)
    {
        var options = new HttpHealthCheckOptions();
        if (reader.String(http, "path", "spec.http.path") is { } path)
        {
            options.Path = path;
        }

        if (reader.String(http, "method", "spec.http.method") is { } method)
        {
            options.Method = method;
        }

        if (reader.Sequence(http, "expectedStatuses", "spec.http.expectedStatuses") is { } ranges)
        {
            for (var i = 0; i < ranges.Children.Count; i++)
            {
                var itemPath = $"spec.http.expectedStatuses[{i}]";
                if (ranges.Children[i] is not YamlMappingNode range)
                {
                    reader.Error(ranges.Children[i], itemPath, $"{itemPath}: Invalid value: expected an object with start and end.");
                    continue;
                }

                var start = reader.Int(range, "start", itemPath + ".start");
                var end = reader.Int(range, "end", itemPath + ".end");
                if (start is null || end is null)
                {
                    reader.Required(range, start is null ? itemPath + ".start" : itemPath + ".end", "a range needs start (inclusive) and end (exclusive).");
                    continue;
                }

                options.ExpectedStatuses.Add(new HttpStatusRange(start.Value, end.Value));
            }
        }

        foreach (var (name, value) in reader.MapEntries(http, "headers", "spec.http.headers"))
        {
            if (reader.Scalar(value, "spec.http.headers." + name) is { } text)
            {
                options.Headers[name] = text;
            }
        }

        return options;
    }

    /// <summary>The YAML node of a <c>spec.a.b[1].c</c> path, or the deepest one found on the way.</summary>
    private static YamlNode NodeAt(YamlMappingNode spec, string path)
    {
        YamlNode node = spec;
        foreach (var segment in path.Split('.').Skip(1))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var key = bracket < 0 ? segment : segment[..bracket];
            if (node is not YamlMappingNode map || YamlNodes.Get(map, key) is not { } child)
            {
                return node;
            }

            node = child;
            if (bracket >= 0 && node is YamlSequenceNode list
                && int.TryParse(segment.AsSpan(bracket + 1, segment.Length - bracket - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < list.Children.Count)
            {
                node = list.Children[index];
            }
        }

        return node;
    }

    /// <summary>The core rules (thresholds, durations, one check, path, method, ranges, headers), reported at the policy's fields.</summary>
    private static void Validate(ObjectReader reader, YamlMappingNode spec, string host, HealthCheckOptions options)
    {
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Dns, HealthCheck = options };
        service.Hosts.Add(string.IsNullOrEmpty(host) ? "health-check.invalid" : host);
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        var probe = new MeshOptions();
        probe.ExternalServices.Add(service);
        var findings = new List<MeshConfigurationDiagnostic>();
        foreach (var finding in MeshConfigurationValidator.Validate(probe))
        {
            if (finding.FieldPath is { } path && (path == "healthCheck" || path.StartsWith("healthCheck.", StringComparison.Ordinal)))
            {
                findings.Add(finding);
            }
        }

        foreach (var finding in findings)
        {
            var field = "spec" + (finding.FieldPath ?? "healthCheck")["healthCheck".Length..];
            var detail = "spec" + (finding.Detail ?? string.Empty)["healthCheck".Length..];
            reader.Add(finding.Severity, NodeAt(spec, field), field, detail);
        }
    }
}
