using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// <c>http[].match[].gateways</c>, as in Istio's egress gateway task: a match block bound to
/// <c>mesh</c> (or to nothing) is the sidecar's, so this application's; a block bound only to
/// gateways (the egress gateway's own hop to the external host) is the gateway's business and never
/// matches here. A route whose every block is such is left out.
/// </summary>
internal static class EgressGatewayMatches
{
    /// <summary>Whether <paramref name="block"/> lists gateways without <c>mesh</c> (noted once, at <c>{path}.gateways</c>).</summary>
    public static bool IsForGatewaysOnly(ObjectReader reader, YamlMappingNode block, string path)
    {
        if (YamlNodes.Get(block, "gateways") is not YamlSequenceNode { Children.Count: > 0 } gateways)
        {
            return false;
        }

        foreach (var gateway in gateways.Children)
        {
            if (gateway is YamlScalarNode { Value: "mesh" })
            {
                return false;
            }
        }

        reader.Warning(gateways, path + ".gateways", $"field {path}.gateways does not list 'mesh': the match block is the gateways' business and never matches this application's requests (a route with only such blocks is left out).");
        return true;
    }
}
