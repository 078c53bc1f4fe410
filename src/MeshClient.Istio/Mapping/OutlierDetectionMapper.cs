using System.Globalization;
using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>trafficPolicy.outlierDetection</c> into <see cref="OutlierDetectionOptions"/> with Istio's
/// translation (ISTIO-SEMANTICS.md §3.3) and Istio's validation, each problem at its <c>file:line</c>:
/// durations in Istio's form, percents 0-100, <c>consecutiveLocalOriginFailures</c> only with
/// <c>splitExternalLocalOriginErrors</c>, the deprecated <c>consecutiveErrors</c> warned about and
/// ignored. A value in error is left at its default.
/// </summary>
internal static class OutlierDetectionMapper
{
    public static OutlierDetectionOptions? Map(ObjectReader reader, YamlMappingNode policy, string policyPath)
    {
        var path = policyPath + ".outlierDetection";
        if (reader.Mapping(policy, "outlierDetection", path) is not { } block)
        {
            return null;
        }

        var options = new OutlierDetectionOptions();
        if (Count(reader, block, "consecutive5xxErrors", path) is { } consecutive5xx)
        {
            options.Consecutive5xxErrors = consecutive5xx; // 0: Istio sets enforcing to 0, off
        }

        if (Count(reader, block, "consecutiveGatewayErrors", path) is { } gateway)
        {
            options.ConsecutiveGatewayErrors = gateway;
        }

        if (YamlNodes.Get(block, "consecutiveErrors") is { } deprecated && !YamlNodes.IsNull(deprecated))
        {
            reader.Warning(deprecated, path + ".consecutiveErrors", $"{path}.consecutiveErrors: outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead; it is ignored, as in Istio.");
        }

        options.SplitExternalLocalOriginErrors = IstioFields.Bool(reader, block, "splitExternalLocalOriginErrors", path) ?? false;
        if (Count(reader, block, "consecutiveLocalOriginFailures", path) is { } localOrigin)
        {
            if (localOrigin > 0 && !options.SplitExternalLocalOriginErrors)
            {
                reader.Error(YamlNodes.Get(block, "consecutiveLocalOriginFailures")!, path + ".consecutiveLocalOriginFailures", $"{path}.consecutiveLocalOriginFailures: outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false.");
            }
            else if (options.SplitExternalLocalOriginErrors && localOrigin > 0)
            {
                options.ConsecutiveLocalOriginFailures = localOrigin;
            }
        }

        if (IstioFields.Duration(reader, block, "interval", path) is { } interval)
        {
            options.Interval = interval;
        }

        if (IstioFields.Duration(reader, block, "baseEjectionTime", path) is { } baseEjectionTime)
        {
            options.BaseEjectionTime = baseEjectionTime;
        }

        // Istio sets max_ejection_percent only when > 0: 0 keeps Envoy's 10.
        if (Percent(reader, block, "maxEjectionPercent", path) is { } maxPercent and > 0)
        {
            options.MaxEjectionPercent = maxPercent;
        }

        if (Percent(reader, block, "minHealthPercent", path) is { } minHealth)
        {
            options.MinHealthPercent = minHealth;
        }

        var codesPath = path + ".outlierDetectionHttpErrorCodes";
        if (reader.Sequence(block, "outlierDetectionHttpErrorCodes", codesPath) is { } codes)
        {
            for (var i = 0; i < codes.Children.Count; i++)
            {
                var itemPath = $"{codesPath}[{i}]";
                if (reader.Int(codes.Children[i], itemPath) is not { } code)
                {
                    continue;
                }

                if (code is < 100 or > 599)
                {
                    reader.Error(codes.Children[i], itemPath, string.Create(CultureInfo.InvariantCulture, $"{itemPath}: Invalid value: {code}: must be between 100 and 599."));
                }
                else
                {
                    options.HttpErrorCodes.Add(code);
                }
            }
        }

        return options;
    }

    private static int? Count(ObjectReader reader, YamlMappingNode block, string key, string path)
    {
        if (reader.Int(block, key, path + "." + key) is not { } value)
        {
            return null;
        }

        if (value < 0)
        {
            reader.Error(YamlNodes.Get(block, key)!, path + "." + key, string.Create(CultureInfo.InvariantCulture, $"{path}.{key}: Invalid value: {value}: must not be negative."));
            return null;
        }

        return value;
    }

    private static int? Percent(ObjectReader reader, YamlMappingNode block, string key, string path)
    {
        if (reader.Int(block, key, path + "." + key) is not { } value)
        {
            return null;
        }

        if (value is < 0 or > 100)
        {
            reader.Error(YamlNodes.Get(block, key)!, path + "." + key, string.Create(CultureInfo.InvariantCulture, $"{path}.{key}: Invalid value: {value}: percentage {value} is not in range 0..100."));
            return null;
        }

        return value;
    }
}
