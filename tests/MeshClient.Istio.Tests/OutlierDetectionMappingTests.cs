using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

[Trait("Area", "OutlierDetection")]
public sealed class OutlierDetectionMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", ports: IstioYaml.Https443, endpoints: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_OutlierDetection_MapsEveryFieldWithIstioDurations()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              outlierDetection:
                consecutive5xxErrors: 3
                consecutiveGatewayErrors: 2
                splitExternalLocalOriginErrors: true
                consecutiveLocalOriginFailures: 4
                interval: 1m30s
                baseEjectionTime: 1.5s
                maxEjectionPercent: 50
                minHealthPercent: 25
                outlierDetectionHttpErrorCodes: [429, 503]
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var outlier = Assert.Single(result.Options.ExternalServices).TrafficPolicy.OutlierDetection!;
        Assert.Equal(3, outlier.Consecutive5xxErrors);
        Assert.Equal(2, outlier.ConsecutiveGatewayErrors);
        Assert.True(outlier.SplitExternalLocalOriginErrors);
        Assert.Equal(4, outlier.ConsecutiveLocalOriginFailures);
        Assert.Equal(TimeSpan.FromSeconds(90), outlier.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), outlier.BaseEjectionTime);
        Assert.Equal(50, outlier.MaxEjectionPercent);
        Assert.Equal(25, outlier.MinHealthPercent);
        Assert.Equal([429, 503], outlier.HttpErrorCodes);
        Assert.Null(outlier.MaxEjectionTime);
    }

    [Fact]
    public void LoadYaml_EmptyBlockOnFourEndpoints_DefaultsAndTheSmallPoolWarning()
    {
        const string Rule = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api}\nspec:\n  host: api.example.com\n  trafficPolicy:\n    outlierDetection: {maxEjectionPercent: 0}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Rule, "mesh.yaml");

        var outlier = Assert.Single(result.Options.ExternalServices).TrafficPolicy.OutlierDetection!;
        Assert.Equal(OutlierDetectionDefaults.MaxEjectionPercent, outlier.MaxEjectionPercent); // Istio sets it only when > 0
        Assert.Equal(OutlierDetectionDefaults.Consecutive5xxErrors, outlier.Consecutive5xxErrors);
        var warning = Assert.Single(result.Validate());
        Assert.Contains(
            "trafficPolicy.outlierDetection.maxEjectionPercent 10 ejects no endpoint of 4: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least 25; raise it or set AlwaysEjectOneHost.",
            warning.Message);
    }

    [Fact]
    public void LoadYaml_InvalidOutlierDetection_EachErrorNamesFileLineAndField()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              outlierDetection:
                consecutiveErrors: 3
                consecutive5xxErrors: -1
                consecutiveLocalOriginFailures: 2
                interval: 10 seconds
                baseEjectionTime: 0s
                maxEjectionPercent: 101
                outlierDetectionHttpErrorCodes: [600]
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:18:29] DestinationRule api: spec.trafficPolicy.outlierDetection.consecutive5xxErrors: Invalid value: -1: must not be negative.",
                "Warning [mesh.yaml:17:26] DestinationRule api: spec.trafficPolicy.outlierDetection.consecutiveErrors: outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead; it is ignored, as in Istio.",
                "Error [mesh.yaml:19:39] DestinationRule api: spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures: outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false.",
                "Error [mesh.yaml:20:17] DestinationRule api: spec.trafficPolicy.outlierDetection.interval: Invalid value: '10 seconds': not a duration (write it as Istio does, such as 10s, 1m or 500ms).",
                "Error [mesh.yaml:21:25] DestinationRule api: spec.trafficPolicy.outlierDetection.baseEjectionTime: Invalid value: '0s': duration must be greater than 1ms.",
                "Error [mesh.yaml:22:27] DestinationRule api: spec.trafficPolicy.outlierDetection.maxEjectionPercent: Invalid value: 101: percentage 101 is not in range 0..100.",
                "Error [mesh.yaml:23:40] DestinationRule api: spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes[0]: Invalid value: 600: must be between 100 and 599.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_PortLevelOutlierDetection_MappedForThatPortWithoutWarnings()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              outlierDetection: {consecutive5xxErrors: 3, maxEjectionPercent: 25}
              portLevelSettings:
              - port: {number: 443}
                outlierDetection: {consecutiveGatewayErrors: 2, baseEjectionTime: 1m, maxEjectionPercent: 50}
            subsets:
            - name: v1
              trafficPolicy:
                portLevelSettings:
                - port: {number: 443}
                  outlierDetection: {consecutive5xxErrors: 9, maxEjectionPercent: 100}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var service = Assert.Single(result.Options.ExternalServices);
        var level = Assert.Single(service.TrafficPolicy.PortLevelSettings);
        Assert.Equal(443, level.Port);
        Assert.Null(level.Tls);
        Assert.Equal(2, level.OutlierDetection!.ConsecutiveGatewayErrors);
        Assert.Equal(TimeSpan.FromMinutes(1), level.OutlierDetection.BaseEjectionTime);
        Assert.Equal(3, service.TrafficPolicy.OutlierDetection!.Consecutive5xxErrors);
        Assert.Equal(9, Assert.Single(service.Subsets[0].TrafficPolicy!.PortLevelSettings).OutlierDetection!.Consecutive5xxErrors);
    }

    [Fact]
    public void LoadYaml_InvalidPortLevelOutlierDetection_ErrorsAtThePortLevelPath()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              portLevelSettings:
              - port: {number: 443}
                outlierDetection: {maxEjectionPercent: 120, interval: 1us}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:18:61] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].outlierDetection.interval: Invalid value: '1us': duration must be greater than 1ms.",
                "Error [mesh.yaml:18:46] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].outlierDetection.maxEjectionPercent: Invalid value: 120: percentage 120 is not in range 0..100.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }
}
