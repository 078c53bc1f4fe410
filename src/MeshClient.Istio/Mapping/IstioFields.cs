using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Readers of scalar Istio fields shared by the mappers, each problem reported at its <c>file:line</c>
/// with the field path and Istio's wording.
/// </summary>
internal static class IstioFields
{
    /// <summary>A boolean field: <c>true</c> or <c>false</c>.</summary>
    public static bool? Bool(ObjectReader reader, YamlMappingNode block, string key, string path)
    {
        if (reader.String(block, key, path + "." + key) is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        reader.Error(YamlNodes.Get(block, key)!, path + "." + key, $"{path}.{key}: Invalid value: '{DiagnosticText.Cut(text)}': expected true or false.");
        return null;
    }

    /// <summary>
    /// Istio's ValidateDuration: a duration of at least 1 ms, in whole milliseconds; with
    /// <paramref name="allowZero"/>, also <c>0s</c> (an idle timeout that turns the timeout off, as in Envoy).
    /// </summary>
    public static TimeSpan? Duration(ObjectReader reader, YamlMappingNode block, string key, string path, bool allowZero = false)
    {
        if (reader.String(block, key, path + "." + key) is not { } text)
        {
            return null;
        }

        var node = YamlNodes.Get(block, key)!;
        var fieldPath = path + "." + key;
        if (!IstioDuration.TryParse(text, out var value))
        {
            reader.Error(node, fieldPath, $"{fieldPath}: Invalid value: '{DiagnosticText.Cut(text)}': not a duration (write it as Istio does, such as 10s, 1m or 500ms).");
            return null;
        }

        if (allowZero && value == TimeSpan.Zero)
        {
            return value;
        }

        var problem = DurationValidator.Find(value);
        if (problem == DurationValidator.Problem.TooShort)
        {
            reader.Error(node, fieldPath, $"{fieldPath}: Invalid value: '{DiagnosticText.Cut(text)}': duration must be greater than 1ms.");
            return null;
        }

        if (problem == DurationValidator.Problem.NotWholeMilliseconds)
        {
            reader.Error(node, fieldPath, $"{fieldPath}: Invalid value: '{DiagnosticText.Cut(text)}': only durations to ms precision are supported.");
            return null;
        }

        return value;
    }
}
