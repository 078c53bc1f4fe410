using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// MeshClient's own kind <c>meshclient.io/v1alpha1 EgressProxy</c>: an HTTP forward proxy for the
/// ServiceEntry hosts <c>spec.host</c> names, or for the whole mesh with <c>spec.host: "*"</c>.
/// <code>
/// apiVersion: meshclient.io/v1alpha1
/// kind: EgressProxy
/// metadata: {name: corporate-proxy}
/// spec:
///   host: "*"                        # or a ServiceEntry host
///   address: http://proxy.corp.example:3128
///   credentialName: proxy-auth       # optional: files username and password
///   noProxy: [.corp.example]         # host "*" only
/// </code>
/// Objects are read in order; the first one per host (and the first <c>"*"</c>) wins.
/// </summary>
internal sealed class EgressProxyMapper
{
    public const string Group = "meshclient.io/";
    public const string Kind = "EgressProxy";

    private static readonly Schema Spec = Schema.Object(
        new Field("host", Schema.Scalar),
        new Field("address", Schema.Scalar),
        new Field("credentialName", Schema.Scalar),
        new Field("noProxy", Schema.List(Schema.Scalar)));

    private readonly List<(string Host, YamlNode Node, EgressProxyOptions Proxy, ObjectReader Reader)> _proxies = [];

    public static bool Handles(string apiVersion, string kind) =>
        kind == Kind && apiVersion.StartsWith(Group, StringComparison.Ordinal);

    /// <summary>Reads one object; <see langword="false"/> when it has errors (it is then not used).</summary>
    public bool Read(ObjectReader reader, YamlMappingNode root, string apiVersion)
    {
        if (apiVersion != Group + "v1alpha1")
        {
            reader.Error(YamlNodes.Get(root, "apiVersion")!, "apiVersion", $"apiVersion: Unsupported value: '{DiagnosticText.Cut(apiVersion)}': {Kind} is meshclient.io/v1alpha1.");
            return false;
        }

        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            reader.Required(root, "spec", $"an {Kind} needs a spec.");
            return false;
        }

        var errors = reader.ErrorCount;
        Schema.Walk(reader, Spec, spec, "spec", ignored: false);
        var host = reader.String(spec, "host", "spec.host");
        if (string.IsNullOrEmpty(host))
        {
            reader.Required(spec, "spec.host", "a ServiceEntry host, or \"*\" for every external service.");
        }

        var proxy = new EgressProxyOptions
        {
            Address = reader.String(spec, "address", "spec.address"),
            CredentialName = reader.String(spec, "credentialName", "spec.credentialName"),
        };
        foreach (var (entry, _) in reader.StringList(spec, "noProxy", "spec.noProxy"))
        {
            proxy.NoProxy.Add(entry);
        }

        // The core rules, on this object's fields (credential files are checked when the application loads the configuration).
        var probe = new MeshOptions { EgressProxy = new EgressProxyOptions { Address = proxy.Address } };
        foreach (var entry in proxy.NoProxy)
        {
            probe.EgressProxy.NoProxy.Add(entry);
        }

        foreach (var finding in MeshConfigurationValidator.Validate(probe))
        {
            if (finding.IsError && finding.Message.StartsWith("egressProxy.", StringComparison.Ordinal))
            {
                var message = "spec." + finding.Message["egressProxy.".Length..];
                var path = message[..message.IndexOfAny([' ', '['])];
                reader.Error(spec, path.StartsWith("spec.noProxy", StringComparison.Ordinal) ? "spec.noProxy" : path, message);
            }
        }

        if (host is not null && host != "*" && proxy.NoProxy.Count > 0)
        {
            reader.Error(YamlNodes.Get(spec, "noProxy")!, "spec.noProxy", "spec.noProxy applies to the mesh-wide proxy (host \"*\") only; a service's proxy is used for all of its hosts.");
        }

        if (reader.ErrorCount > errors || string.IsNullOrEmpty(host))
        {
            return false;
        }

        _proxies.Add((host, YamlNodes.Get(spec, "host")!, proxy, reader));
        return true;
    }

    /// <summary>Gives each proxy to the ServiceEntries of its host, or to the mesh (<c>"*"</c>).</summary>
    public void Apply(MeshOptions options, IEnumerable<ExternalServiceOptions> services)
    {
        foreach (var (host, node, proxy, reader) in _proxies)
        {
            if (host == "*")
            {
                if (options.EgressProxy is null)
                {
                    options.EgressProxy = proxy;
                }
                else
                {
                    reader.Warning(node, "spec.host", "spec.host '*': an earlier EgressProxy is already the mesh-wide proxy; the first one wins.");
                }

                continue;
            }

            var matched = false;
            foreach (var service in services)
            {
                if (!service.Hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                matched = true;
                if (service.EgressProxy is null)
                {
                    service.EgressProxy = proxy;
                }
                else
                {
                    reader.Warning(node, "spec.host", $"spec.host '{DiagnosticText.Cut(host)}': ServiceEntry {DiagnosticText.Cut(service.Name)} already has an EgressProxy; the first one wins.");
                }
            }

            if (!matched)
            {
                reader.Warning(node, "spec.host", $"spec.host '{DiagnosticText.Cut(host)}' matches no ServiceEntry host, so the EgressProxy has no effect (use \"*\" for every external service).");
            }
        }
    }
}
