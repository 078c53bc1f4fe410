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

    /// <summary>Gets how many errors were recorded about this object so far.</summary>
    public int ErrorCount
    {
        get
        {
            var count = 0;
            foreach (var diagnostic in diagnostics)
            {
                count += diagnostic.IsError && ReferenceEquals(diagnostic.Resource, Resource) ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Whether an error about <paramref name="path"/> of this object was recorded.</summary>
    public bool HasError(string path)
    {
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.IsError && ReferenceEquals(diagnostic.Resource, Resource) && diagnostic.FieldPath == path)
            {
                return true;
            }
        }

        return false;
    }

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

            if (IsInteger(text))
            {
                // One error with the value as written (not int.MaxValue), and no default the validators would report again.
                Error(node, path, $"{path}: Invalid value: {DiagnosticText.Cut(text)}: must be between {int.MinValue} and {int.MaxValue}.");
                return null;
            }
        }

        Error(node, path, $"{path}: Invalid value: {YamlNodes.Describe(node)} is not an integer.");
        return null;
    }

    /// <summary>A 64-bit integer (a size in bytes), or <see langword="null"/> when absent; anything else is one error at <paramref name="path"/>.</summary>
    public long? Long(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        if (YamlNodes.IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(node!, path, $"{path}: Invalid value: {YamlNodes.Describe(node!)} is not an integer.");
        return null;
    }

    /// <summary>A port number: an integer the core validator checks, or one error here with the value as written.</summary>
    public int? Port(YamlMappingNode parent, string key, string path)
    {
        var node = YamlNodes.Get(parent, key);
        return YamlNodes.IsNull(node) ? null : Port(node!, path);
    }

    /// <inheritdoc cref="Port(YamlMappingNode, string, string)"/>
    public int? Port(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text } && IsInteger(text)
            && !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            Error(node, path, $"{path} port must be between 1-65535 (was '{DiagnosticText.Cut(text)}').");
            return null;
        }

        return Int(node, path);
    }

    private static bool IsInteger(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') || text.StartsWith('+') ? 1 : 0);
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
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
