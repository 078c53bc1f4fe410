using MeshClient.Configuration;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Yaml;

/// <summary>Small helpers over YamlDotNet's representation model (no reflection, AOT-safe).</summary>
internal static class YamlNodes
{
    public static YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>The key node of <paramref name="key"/>, to point diagnostics at the field name.</summary>
    public static YamlNode? GetKey(YamlMappingNode map, string key)
    {
        foreach (var (k, _) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key)
            {
                return k;
            }
        }

        return null;
    }

    /// <summary>A missing node, or a plain <c>null</c>/<c>~</c>/empty scalar, as Kubernetes reads it.</summary>
    public static bool IsNull(YamlNode? node) =>
        node is null
        || (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" });

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "an object",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{DiagnosticText.Cut(s.Value)}'",
        _ => "an alias",
    };

    public static string KeyText(YamlNode key) => key is YamlScalarNode { Value: { } v } ? v : DiagnosticText.Cut(key.ToString(), 500);
}
