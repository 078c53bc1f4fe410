using MeshClient.Configuration;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Yaml;

/// <summary>How MeshClient treats one Istio field.</summary>
internal enum FieldSupport
{
    /// <summary>Read by a mapper or validator; no warning.</summary>
    Used,

    /// <summary>An Istio field MeshClient does not implement yet: warned about, ignored.</summary>
    NotSupported,

    /// <summary>An Istio field that has no meaning for an application outside the cluster: warned about, ignored.</summary>
    NotApplicable,
}

/// <summary>The shape of an Istio API node, enough to tell unknown fields from known ones.</summary>
internal abstract class Schema
{
    public static readonly Schema Scalar = new ScalarSchema();

    /// <summary>Any shape, not checked (free-form or not worth modelling).</summary>
    public static readonly Schema Any = new AnySchema();

    public static Schema List(Schema item) => new ListSchema(item);

    public static Schema Map(Schema value) => new MapSchema(value);

    public static ObjectSchema Object(params Field[] fields) => new(fields);

    /// <summary>The JSON (camelCase) name of a proto field name such as <c>prefix_rewrite</c>.</summary>
    internal static string CamelCase(string name)
    {
        var parts = name.Split('_');
        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i].Length > 0)
            {
                parts[i] = char.ToUpperInvariant(parts[i][0]) + parts[i][1..];
            }
        }

        return string.Concat(parts);
    }

    private sealed class ScalarSchema : Schema;

    private sealed class AnySchema : Schema;

    internal sealed class ListSchema(Schema item) : Schema
    {
        public Schema Item { get; } = item;
    }

    internal sealed class MapSchema(Schema value) : Schema
    {
        public Schema Value { get; } = value;
    }

    internal sealed class ObjectSchema(Field[] fields) : Schema
    {
        public IReadOnlyDictionary<string, Field> Fields { get; } = fields.ToDictionary(static f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// Walks <paramref name="node"/>: an unknown field is an error (as Kubernetes strict field
    /// validation would report it); the first <see cref="FieldSupport.NotSupported"/> or
    /// <see cref="FieldSupport.NotApplicable"/> field on a path gets one warning (its children are
    /// still checked for unknown fields, but not warned about again). Shape errors of used fields are
    /// left to the mappers, which read them.
    /// </summary>
    public static void Walk(ObjectReader reader, Schema schema, YamlNode node, string path, bool ignored)
    {
        switch (schema)
        {
            case ObjectSchema obj when node is YamlMappingNode map:
                foreach (var (keyNode, value) in map.Children)
                {
                    var key = YamlNodes.KeyText(keyNode);
                    var childPath = path.Length == 0 ? key : path + "." + key;
                    if (!obj.Fields.TryGetValue(key, out var field))
                    {
                        var camel = CamelCase(key);
                        var hint = camel != key && obj.Fields.ContainsKey(camel) ? $" (Kubernetes YAML spells it \"{camel}\")" : string.Empty;
                        reader.Error(keyNode, childPath, $"{DiagnosticText.Cut(childPath, 500)}: unknown field \"{DiagnosticText.Cut(key)}\": it is not part of the Istio {reader.Resource?.Kind} API{hint}.");
                        continue;
                    }

                    var childIgnored = ignored;
                    if (!ignored && !YamlNodes.IsNull(value))
                    {
                        if (field.Support == FieldSupport.NotSupported)
                        {
                            reader.NotSupported(keyNode, childPath, field.Detail);
                            childIgnored = true;
                        }
                        else if (field.Support == FieldSupport.NotApplicable)
                        {
                            reader.NotApplicable(keyNode, childPath, field.Detail ?? "it only matters to proxies inside the cluster.");
                            childIgnored = true;
                        }
                    }

                    Walk(reader, field.Schema, value, childPath, childIgnored);
                }

                break;
            case ListSchema list when node is YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    Walk(reader, list.Item, seq.Children[i], $"{path}[{i}]", ignored);
                }

                break;
            case MapSchema mapSchema when node is YamlMappingNode map:
                foreach (var (keyNode, value) in map.Children)
                {
                    Walk(reader, mapSchema.Value, value, $"{path}[{YamlNodes.KeyText(keyNode)}]", ignored);
                }

                break;
            case ObjectSchema or ListSchema or MapSchema when ignored && !YamlNodes.IsNull(node):
                // A used field with the wrong shape is reported by its mapper; an ignored one here.
                reader.Error(node, path, $"{path}: Invalid value: expected {(schema is ListSchema ? "a list" : "an object")}, found {YamlNodes.Describe(node)}.");
                break;
            default:
                break;
        }
    }
}

/// <summary>One field of an <see cref="Schema.ObjectSchema"/>.</summary>
internal sealed record Field(string Name, Schema Schema, FieldSupport Support = FieldSupport.Used, string? Detail = null);
