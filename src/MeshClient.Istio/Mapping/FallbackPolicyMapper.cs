using System.Globalization;
using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// MeshClient's extension kind <c>FallbackPolicy</c> (<c>apiVersion: meshclient.io/v1alpha1</c>): the fallback
/// to cache (<see cref="FallbackOptions"/>) for the ServiceEntries whose hosts include <c>spec.host</c>, matched
/// as a DestinationRule's host is. <c>spec.host</c> alone is a policy with the defaults. Values are checked by the
/// core validator here, so that every finding names this object and its <c>spec.</c> field path.
/// </summary>
internal static class FallbackPolicyMapper
{
    public const string ApiVersion = "meshclient.io/v1alpha1";

    public const string Kind = "FallbackPolicy";

    private static readonly Schema Spec = Schema.Object(
        new Field("host", Schema.Scalar),
        new Field("ttl", Schema.Scalar),
        new Field("maxStale", Schema.Scalar),
        new Field("onFlags", Schema.List(Schema.Scalar)),
        new Field("statusCodes", Schema.List(Schema.Scalar)),
        new Field("methods", Schema.List(Schema.Scalar)),
        new Field("varyHeaders", Schema.List(Schema.Scalar)),
        new Field("maxBodyBytes", Schema.Scalar),
        new Field("maxEntries", Schema.Scalar),
        new Field("cacheAuthorizedRequests", Schema.Scalar));

    /// <summary>Reads one object; a valid one is added to <paramref name="policies"/>. Returns whether it is valid.</summary>
    public static bool Map(ObjectReader reader, YamlMappingNode root, IstioResource resource, List<FallbackPolicyRule> policies)
    {
        var errors = reader.ErrorCount;
        if (ExtensionKinds.HostSpec(reader, root, resource, Kind, Spec, out var host) is not { } spec)
        {
            return false;
        }

        var options = new FallbackOptions();
        if (IstioFields.Duration(reader, spec, "ttl", "spec") is { } ttl)
        {
            options.Ttl = ttl;
        }

        if (IstioFields.Duration(reader, spec, "maxStale", "spec", allowZero: true) is { } maxStale)
        {
            options.MaxStale = maxStale;
        }

        if (reader.Int(spec, "maxBodyBytes", "spec.maxBodyBytes") is { } maxBodyBytes)
        {
            options.MaxBodyBytes = maxBodyBytes;
        }

        if (reader.Int(spec, "maxEntries", "spec.maxEntries") is { } maxEntries)
        {
            options.MaxEntries = maxEntries;
        }

        if (IstioFields.Bool(reader, spec, "cacheAuthorizedRequests", "spec") is { } authorized)
        {
            options.CacheAuthorizedRequests = authorized;
        }

        MapFlags(reader, spec, options);
        if (reader.Sequence(spec, "statusCodes", "spec.statusCodes") is { } codes)
        {
            for (var i = 0; i < codes.Children.Count; i++)
            {
                if (reader.Int(codes.Children[i], $"spec.statusCodes[{i}]") is { } code)
                {
                    options.StatusCodes.Add(code);
                }
            }
        }

        foreach (var (method, _) in reader.StringList(spec, "methods", "spec.methods"))
        {
            options.Methods.Add(method.ToUpperInvariant());
        }

        foreach (var (header, _) in reader.StringList(spec, "varyHeaders", "spec.varyHeaders"))
        {
            options.VaryHeaders.Add(header);
        }

        ValidateValues(reader, spec, options);
        if (reader.ErrorCount > errors || string.IsNullOrEmpty(host))
        {
            return false;
        }

        policies.Add(new FallbackPolicyRule(resource, host, options, YamlNodes.Get(spec, "host")!, reader));
        return true;
    }

    /// <summary>Gives each valid policy to the services that declare its host; the first policy for a service wins.</summary>
    public static void Apply(List<FallbackPolicyRule> policies, IEnumerable<ExternalServiceOptions> services) =>
        ExtensionPolicies.Apply(policies, services, "FallbackPolicy has no effect.", "fallback from FallbackPolicy", static (service, policy) => service.Fallback = policy.Options);

    private static void MapFlags(ObjectReader reader, YamlMappingNode spec, FallbackOptions options)
    {
        if (reader.Sequence(spec, "onFlags", "spec.onFlags") is null)
        {
            return;
        }

        var flags = MeshResponseFlags.None;
        foreach (var (code, node) in reader.StringList(spec, "onFlags", "spec.onFlags"))
        {
            if (ParseCode(code) is { } flag)
            {
                flags |= flag;
            }
            else
            {
                reader.Error(node, "spec.onFlags", $"spec.onFlags: Unsupported value: '{DiagnosticText.Cut(code)}': supported values: {string.Join(", ", Codes())}.");
            }
        }

        options.OnFlags = flags;
    }

    private static MeshResponseFlags? ParseCode(string code)
    {
        for (var bit = 0; bit < 11; bit++)
        {
            var flag = (MeshResponseFlags)(1 << bit);
            if (string.Equals(flag.ToEnvoyString(), code, StringComparison.Ordinal))
            {
                return flag;
            }
        }

        return null;
    }

    private static IEnumerable<string> Codes()
    {
        for (var bit = 0; bit < 11; bit++)
        {
            yield return ((MeshResponseFlags)(1 << bit)).ToEnvoyString();
        }
    }

    /// <summary>The core validator's rules, reported on this object's fields (<c>fallback.ttl</c> becomes <c>spec.ttl</c>).</summary>
    private static void ValidateValues(ObjectReader reader, YamlMappingNode spec, FallbackOptions options)
    {
        var probe = new ExternalServiceOptions { Name = "probe.invalid", Resolution = ServiceResolution.None, Fallback = options };
        probe.Hosts.Add("probe.invalid");
        var mesh = new MeshOptions();
        mesh.ExternalServices.Add(probe);
        foreach (var finding in MeshConfigurationValidator.Validate(mesh))
        {
            if (finding.FieldPath is not { } field || !field.StartsWith("fallback.", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "spec." + field["fallback.".Length..];
            var key = path["spec.".Length..];
            var bracket = key.IndexOf('[', StringComparison.Ordinal);
            var node = YamlNodes.Get(spec, bracket < 0 ? key : key[..bracket]) ?? spec;
            if (bracket >= 0 && node is YamlSequenceNode list
                && int.TryParse(key[(bracket + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Children.Count)
            {
                node = list.Children[index];
            }

            var detail = finding.Detail ?? finding.Message;
            var message = "spec." + detail["fallback.".Length..];
            if (finding.IsError)
            {
                reader.Error(node, path, message);
            }
            else
            {
                reader.Warning(node, path, message);
            }
        }
    }
}

/// <summary>A valid FallbackPolicy: the host it applies to, its options, and the <c>spec.host</c> node for warnings.</summary>
internal sealed record FallbackPolicyRule(IstioResource Resource, string Host, FallbackOptions Options, YamlNode HostNode, ObjectReader Reader) : IExtensionPolicy;
