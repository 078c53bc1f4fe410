using System.Globalization;
using MeshClient.Configuration;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Yaml;

/// <summary>
/// Reads typed values out of one Istio object and records every problem as a diagnostic that names
/// <c>file:line:column</c> of the node, the object and the field path. It never throws on bad input.
/// </summary>
internal sealed class ObjectReader(string file, IstioResource? resource, List<IstioDiagnostic> diagnostics)
{
    public IstioResource? Resource { get; } = resource;

    public string Location(YamlNode node) => $"{file}:{node.Start.Line}:{node.Start.Column}";

    public void Error(YamlNode node, string? path, string message) => Add(MeshDiagnosticSeverity.Error, node, path, message);

    public void Warning(YamlNode node, string? path, string message) => Add(MeshDiagnosticSeverity.Warning, node, path, message);

    public void NotSupported(YamlNode node, string path, string? detail = null) =>
        Warning(node, path, $"field {path} is not supported yet and is ignored{(detail is null ? "." : "; " + detail)}");

    public void NotApplicable(YamlNode node, string path, string reason) =>
        Warning(node, path, $"field {path} is not applicable out of mesh and is ignored: {reason}");

    public void Required(YamlNode parent, string path, string detail) => Error(parent, path, $"{path}: Required value: {detail}");

    public void Add(MeshDiagnosticSeverity severity, YamlNode node, string? path, string message) =>
        diagnostics.Add(new IstioDiagnostic(severity, Location(node), Resource, path, message));

    public YamlMappingNode? Mapping(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        if (YamlNodes.IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(node!, path, $"{path}: Invalid value: expected an object, found {YamlNodes.Describe(node!)}.");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        if (YamlNodes.IsNull(node))
        {
            return null;
        }

        if (node is YamlSequenceNode list)
        {
            return list;
        }

        Error(node!, path, $"{path}: Invalid value: expected a list, found {YamlNodes.Describe(node!)}.");
        return null;
    }

    public string? String(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        return YamlNodes.IsNull(node) ? null : Scalar(node!, path);
    }

    public string? Scalar(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Error(node, path, $"{path}: Invalid value: expected a string, found {YamlNodes.Describe(node)}.");
        return null;
    }

    public int? Int(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        return YamlNodes.IsNull(node) ? null : Int(node!, path);
    }

    public int? Int(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
            {
                // Out of int range: keep a value the validators reject with their own message.
                return big > 0 ? int.MaxValue : int.MinValue;
            }
        }

        Error(node, path, $"{path}: Invalid value: {YamlNodes.Describe(node)} is not an integer.");
        return null;
    }

    public double? Double(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        if (YamlNodes.IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text }
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(node!, path, $"{path}: Invalid value: {YamlNodes.Describe(node!)} is not a number.");
        return null;
    }

    public List<(string Value, YamlNode Node)> StringList(YamlMappingNode parent, string key, string path)
    {
        var result = new List<(string, YamlNode)>();
        if (Sequence(parent, key, path) is not { } list)
        {
            return result;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            if (Scalar(list.Children[i], $"{path}[{i}]") is { } value)
            {
                result.Add((value, list.Children[i]));
            }
        }

        return result;
    }

    public List<(string Key, YamlNode Value)> MapEntries(YamlMappingNode parent, string key, string path)
    {
        var result = new List<(string, YamlNode)>();
        if (Mapping(parent, key, path) is not { } map)
        {
            return result;
        }

        foreach (var (k, v) in map.Children)
        {
            result.Add((YamlNodes.KeyText(k), v));
        }

        return result;
    }
}
