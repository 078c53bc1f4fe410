using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// One MeshClient extension kind (<c>meshclient.io</c>): it reads its objects while the files load and
/// applies the valid ones once every ServiceEntry and DestinationRule is known. One instance per load.
/// </summary>
/// <param name="kind">The kind name, e.g. <c>HealthCheckPolicy</c>.</param>
/// <param name="servesVersion">Whether an object of the kind with this <c>apiVersion</c> is handed to <paramref name="read"/> (else it is left to the Istio kinds, i.e. ignored).</param>
/// <param name="read">Reads one object (its top-level fields already checked); <see langword="false"/> when it is rejected.</param>
/// <param name="apply">Gives what was read to the options (their services are the valid ServiceEntries).</param>
internal sealed class ExtensionKind(string kind, Func<string, bool> servesVersion, Func<ObjectReader, YamlMappingNode, IstioResource, bool> read, Action<MeshOptions> apply)
{
    public string Kind { get; } = kind;

    public bool Handles(string apiVersion, string kind) => kind == Kind && servesVersion(apiVersion);

    public bool Read(ObjectReader reader, YamlMappingNode root, IstioResource resource) => read(reader, root, resource);

    public void Apply(MeshOptions options) => apply(options);
}

/// <summary>
/// The registry of MeshClient's extension kinds (<c>apiVersion: meshclient.io/v1alpha1</c>), in the order
/// they apply. A new kind is one line here plus its mapper.
/// </summary>
internal static class ExtensionKinds
{
    public const string Group = "meshclient.io/";

    public const string ApiVersion = Group + "v1alpha1";

    /// <summary>A fresh set of kinds for one load (each keeps the objects it reads).</summary>
    public static IReadOnlyList<ExtensionKind> Create()
    {
        var egressProxies = new EgressProxyMapper();
        var fallbacks = new List<FallbackPolicyRule>();
        return
        [
            PerHost(HealthCheckPolicyMapper.Kind, AnyVersion, HealthCheckPolicyMapper.Map, HealthCheckPolicyMapper.Apply),
            new(FallbackPolicyMapper.Kind, static v => v == FallbackPolicyMapper.ApiVersion, (reader, root, resource) => FallbackPolicyMapper.Map(reader, root, resource, fallbacks), options => FallbackPolicyMapper.Apply(fallbacks, options.ExternalServices)),
            new(EgressProxyMapper.Kind, AnyVersion, (reader, root, resource) => egressProxies.Read(reader, root, resource.ApiVersion!), options => egressProxies.Apply(options, options.ExternalServices)),
            PerHost(OutlierPolicyMapper.Kind, AnyVersion, OutlierPolicyMapper.Map, OutlierPolicyMapper.Apply),
            PerHost(RetryPolicyMapper.Kind, AnyVersion, RetryPolicyMapper.Map, RetryPolicyMapper.Apply),
        ];
    }

    /// <summary>
    /// The start a per-host kind's mapper shares: the object's <c>apiVersion</c> must be <see cref="ApiVersion"/>,
    /// it needs a <c>spec</c>, whose fields are walked against <paramref name="schema"/>, and <c>spec.host</c>
    /// (<paramref name="host"/>, required). Returns the spec, or <see langword="null"/> when the object has no
    /// usable one (the error is reported); a missing host is reported and the spec still returned, so its
    /// other fields are checked too. <paramref name="needsSpec"/> and <paramref name="needsHost"/> replace
    /// the end of the two "Required value" messages (after "a Kind needs") for a kind that says more.
    /// </summary>
    public static YamlMappingNode? HostSpec(ObjectReader reader, YamlMappingNode root, IstioResource resource, string kind, Schema schema, out string? host, string needsSpec = "a spec with a host", string needsHost = "the host of the service it applies to")
    {
        host = null;
        var article = "aeiouAEIOU".Contains(kind[0], StringComparison.Ordinal) ? "an" : "a";
        if (resource.ApiVersion != ApiVersion)
        {
            reader.Error(YamlNodes.Get(root, "apiVersion")!, "apiVersion", $"apiVersion: Unsupported value: '{DiagnosticText.Cut(resource.ApiVersion)}': {kind} is served as {ApiVersion}.");
            return null;
        }

        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            if (YamlNodes.IsNull(YamlNodes.Get(root, "spec")))
            {
                reader.Required(root, "spec", $"{article} {kind} needs {needsSpec}.");
            }

            return null;
        }

        Schema.Walk(reader, schema, spec, "spec", ignored: false);
        host = reader.String(spec, "host", "spec.host");
        if (string.IsNullOrEmpty(host))
        {
            reader.Required(YamlNodes.Get(spec, "host") ?? spec, "spec.host", $"{article} {kind} needs {needsHost}.");
        }

        return spec;
    }

    /// <summary>A block of a spec: an object, or present and empty (<c>hedging: {}</c> or <c>hedging:</c>) for the defaults; <see langword="null"/> when absent.</summary>
    public static YamlMappingNode? Block(ObjectReader reader, YamlMappingNode spec, string key)
    {
        var node = YamlNodes.Get(spec, key);
        if (node is null)
        {
            return null;
        }

        return YamlNodes.IsNull(node) ? [] : reader.Mapping(spec, key, "spec." + key);
    }

    /// <summary>Every <c>meshclient.io</c> version reaches the mapper, which names the one it serves.</summary>
    private static bool AnyVersion(string apiVersion) => apiVersion.StartsWith(Group, StringComparison.Ordinal);

    /// <summary>A kind whose valid objects are collected, then applied all at once.</summary>
    private static ExtensionKind PerHost<TPolicy>(string kind, Func<string, bool> servesVersion, Func<ObjectReader, YamlMappingNode, IstioResource, TPolicy?> map, Action<List<TPolicy>, IList<ExternalServiceOptions>> apply)
        where TPolicy : class
    {
        var policies = new List<TPolicy>();
        return new ExtensionKind(
            kind,
            servesVersion,
            (reader, root, resource) =>
            {
                var policy = map(reader, root, resource);
                if (policy is not null)
                {
                    policies.Add(policy);
                }

                return policy is not null;
            },
            options => apply(policies, options.ExternalServices));
    }
}
