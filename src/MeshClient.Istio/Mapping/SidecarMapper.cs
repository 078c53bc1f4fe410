using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>outboundTrafficPolicy.mode</c> of an Istio <c>Sidecar</c>, which MeshClient applies to the
/// whole application (it is the one workload); every other field is warned about.
/// </summary>
internal static class SidecarMapper
{
    public static (OutboundTrafficPolicy Mode, YamlNode Node)? Map(ObjectReader reader, YamlMappingNode root)
    {
        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            if (YamlNodes.IsNull(YamlNodes.Get(root, "spec")))
            {
                reader.Required(root, "spec", "a Sidecar needs a spec.");
            }

            return null;
        }

        Schema.Walk(reader, IstioSchemas.SidecarSpec, spec, "spec", ignored: false);
        const string Path = "spec.outboundTrafficPolicy.mode";
        if (reader.Mapping(spec, "outboundTrafficPolicy", "spec.outboundTrafficPolicy") is not { } policy
            || reader.String(policy, "mode", Path) is not { } mode)
        {
            return null;
        }

        var node = YamlNodes.Get(policy, "mode")!;
        if (!IstioNames.TryParseOutboundTrafficPolicy(mode, out var value))
        {
            reader.Error(node, Path, $"{Path}: Unsupported value: '{DiagnosticText.Cut(mode)}': supported values: {IstioSpellings.Of<OutboundTrafficPolicy>(IstioNames.Format)}.");
            return null;
        }

        return (value, node);
    }
}
