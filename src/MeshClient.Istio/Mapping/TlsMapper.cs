using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>trafficPolicy.tls</c> and <c>trafficPolicy.portLevelSettings[].tls</c> (Istio
/// <c>ClientTLSSettings</c>) into <see cref="TlsOptions"/>, field for field; the core validator
/// (<see cref="TlsOptionsValidator"/>) applies Istio's rules and loads the files. The port-level entries
/// are read by <see cref="PortLevelSettingsMapper"/>.
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
}
