using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>trafficPolicy.tls</c> and <c>trafficPolicy.portLevelSettings[].tls</c> (Istio
/// <c>ClientTLSSettings</c>) into <see cref="TlsOptions"/>, field for field; the core validator
/// (<see cref="TlsOptionsValidator"/>) applies Istio's rules and loads the files. Only the port and
/// the <c>tls</c> of a port-level entry are used: its other components are warned about by the schema.
/// </summary>
internal static class TlsMapper
{
    public static TlsOptions? Map(ObjectReader reader, YamlMappingNode parent, string parentPath)
    {
        var path = parentPath + ".tls";
        if (reader.Mapping(parent, "tls", path) is not { } block)
        {
            return null;
        }

        var options = new TlsOptions
        {
            ClientCertificate = reader.String(block, "clientCertificate", path + ".clientCertificate"),
            PrivateKey = reader.String(block, "privateKey", path + ".privateKey"),
            CaCertificates = reader.String(block, "caCertificates", path + ".caCertificates"),
            CaCrl = reader.String(block, "caCrl", path + ".caCrl"),
            CredentialName = reader.String(block, "credentialName", path + ".credentialName"),
            Sni = reader.String(block, "sni", path + ".sni"),
        };

        if (reader.String(block, "mode", path + ".mode") is { } mode)
        {
            if (IstioNames.TryParseTlsMode(mode, out var value))
            {
                options.Mode = value;
            }
            else
            {
                reader.Error(YamlNodes.Get(block, "mode")!, path + ".mode", $"{path}.mode: Unsupported value: '{DiagnosticText.Cut(mode)}': supported values: {IstioSpellings.Of<TlsMode>(IstioNames.Format)}.");
            }
        }

        foreach (var (san, _) in reader.StringList(block, "subjectAltNames", path + ".subjectAltNames"))
        {
            options.SubjectAltNames.Add(san);
        }

        var insecure = YamlNodes.Get(block, "insecureSkipVerify");
        if (!YamlNodes.IsNull(insecure))
        {
            if (insecure is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var skip))
            {
                options.InsecureSkipVerify = skip;
            }
            else
            {
                reader.Error(insecure!, path + ".insecureSkipVerify", $"{path}.insecureSkipVerify: Invalid value: {YamlNodes.Describe(insecure!)} is not a boolean.");
            }
        }

        return options;
    }

    /// <summary>The port-level entries that carry <c>tls</c> or <c>outlierDetection</c> (the components MeshClient applies per port).</summary>
    public static List<PortTrafficPolicyOptions> MapPortLevel(ObjectReader reader, YamlMappingNode policy, string policyPath)
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

            // An entry that sets neither tls nor outlierDetection (only components not supported per port yet) is left out.
            var tls = Map(reader, entry, entryPath);
            var outlierDetection = OutlierDetectionMapper.Map(reader, entry, entryPath);
            if (tls is not null || outlierDetection is not null)
            {
                result.Add(new PortTrafficPolicyOptions { Port = port.Value, Tls = tls, OutlierDetection = outlierDetection });
            }
        }

        return result;
    }
}
