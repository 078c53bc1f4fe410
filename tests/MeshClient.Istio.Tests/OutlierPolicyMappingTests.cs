using MeshClient.Configuration;
using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

[Trait("Area", "OutlierDetection")]
public sealed class OutlierPolicyMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry(
        "api",
        "api.example.com",
        ports: $"{IstioYaml.Https443}, {IstioYaml.Http80}",
        body: """endpoints: [{address: 10.0.0.1, labels: {v: "1"}}, {address: 10.0.0.2}, {address: 10.0.0.3}, {address: 10.0.0.4}, {address: 10.0.0.5}]""") + IstioYaml.Next;

    private static readonly string Rule = IstioYaml.DestinationRule("api", "api.example.com", """
        trafficPolicy:
          outlierDetection: {consecutive5xxErrors: 3, maxEjectionPercent: 40}
          portLevelSettings:
          - port: {number: 80}
            outlierDetection: {consecutiveGatewayErrors: 2, maxEjectionPercent: 40}
        subsets:
        - name: v1
          labels: {v: "1"}
          trafficPolicy:
            outlierDetection: {consecutive5xxErrors: 7, maxEjectionPercent: 100}
        """) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_OutlierPolicy_CompletesTheRulesOutlierDetectionEverywhere()
    {
        var policy = IstioYaml.OutlierPolicy("api-outliers", """
            host: api.example.com
            successRate: {minimumHosts: 3, requestVolume: 20, stdevFactor: 1000, enforcementPercentage: 50}
            failurePercentage: {threshold: 60, minimumHosts: 2, requestVolume: 10, enforcementPercentage: 90}
            maxEjectionTime: 2m
            alwaysEjectOneHost: true
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + Rule + policy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        Assert.Equal(IstioResourceStatus.Mapped, result.Resources[2].Status);
        var service = Assert.Single(result.Options.ExternalServices);
        OutlierDetectionOptions[] all =
        [
            service.TrafficPolicy.OutlierDetection!,
            service.TrafficPolicy.PortLevelSettings[0].OutlierDetection!,
            service.Subsets[0].TrafficPolicy!.OutlierDetection!,
        ];
        Assert.Equal([3, 5, 7], all.Select(o => o.Consecutive5xxErrors)); // the rule's own fields are kept
        foreach (var outlier in all)
        {
            Assert.Equal((3, 20, 1000, 50), (outlier.SuccessRate!.MinimumHosts, outlier.SuccessRate.RequestVolume, outlier.SuccessRate.StdevFactor, outlier.SuccessRate.EnforcementPercentage));
            Assert.Equal((60, 2, 10, 90), (outlier.FailurePercentage!.Threshold, outlier.FailurePercentage.MinimumHosts, outlier.FailurePercentage.RequestVolume, outlier.FailurePercentage.EnforcementPercentage));
            Assert.Equal(TimeSpan.FromMinutes(2), outlier.MaxEjectionTime);
            Assert.True(outlier.AlwaysEjectOneHost);
        }
    }

    [Fact]
    public void LoadYaml_EmptyRuleBlocks_EnvoysDefaultsAndTheRestUntouched()
    {
        var policy = IstioYaml.OutlierPolicy("p", "host: api.example.com\nsuccessRate: {}\nfailurePercentage:\n");

        var result = IstioConfigurationLoader.LoadYaml(Service + Rule + policy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var outlier = Assert.Single(result.Options.ExternalServices).TrafficPolicy.OutlierDetection!;
        Assert.Equal((5, 100, 1900, 100), (outlier.SuccessRate!.MinimumHosts, outlier.SuccessRate.RequestVolume, outlier.SuccessRate.StdevFactor, outlier.SuccessRate.EnforcementPercentage));
        Assert.Equal((85, 5, 50, 100), (outlier.FailurePercentage!.Threshold, outlier.FailurePercentage.MinimumHosts, outlier.FailurePercentage.RequestVolume, outlier.FailurePercentage.EnforcementPercentage));
        Assert.Null(outlier.MaxEjectionTime);
        Assert.False(outlier.AlwaysEjectOneHost);
    }

    [Fact]
    public void LoadYaml_NoDestinationRuleOutlierDetection_TurnsDetectionOnWithIstiosDefaultsAndSaysSo()
    {
        var policy = IstioYaml.OutlierPolicy("p", "host: api.example.com\nfailurePercentage: {threshold: 50}\n");

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal("Warning [mesh.yaml:14:9] OutlierPolicy p: spec.host 'api.example.com': ServiceEntry api has no DestinationRule outlierDetection, so the OutlierPolicy turns outlier detection on with Istio's defaults (consecutive5xxErrors 5, baseEjectionTime 30s, maxEjectionPercent 10).", warning.ToString());
        var outlier = Assert.Single(result.Options.ExternalServices).TrafficPolicy.OutlierDetection!;
        Assert.Equal(OutlierDetectionDefaults.Consecutive5xxErrors, outlier.Consecutive5xxErrors);
        Assert.Equal(50, outlier.FailurePercentage!.Threshold);
    }

    [Fact]
    public void LoadYaml_InvalidOutlierPolicy_RejectedWithEveryErrorAtItsFieldPath()
    {
        var policy = IstioYaml.OutlierPolicy("bad", """
            successRate: {requestVolume: 0, stdevFactor: -1, enforcementPercentage: 101, minimumHost: 3}
            failurePercentage: {threshold: 150, minimumHosts: many}
            maxEjectionTime: 0.5ms
            alwaysEjectOneHost: sometimes
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Null(Assert.Single(result.Options.ExternalServices).TrafficPolicy.OutlierDetection);
        Assert.Equal(
            [
                "Error [mesh.yaml:14:80] OutlierPolicy bad: spec.successRate.minimumHost: unknown field \"minimumHost\": it is not part of the Istio OutlierPolicy API.",
                "Error [mesh.yaml:14:3] OutlierPolicy bad: spec.host: Required value: an OutlierPolicy needs the host of the service it applies to.",
                "Error [mesh.yaml:15:53] OutlierPolicy bad: spec.failurePercentage.minimumHosts: Invalid value: 'many' is not an integer.",
                "Error [mesh.yaml:16:20] OutlierPolicy bad: spec.maxEjectionTime: Invalid value: '0.5ms': duration must be greater than 1ms.",
                "Error [mesh.yaml:17:23] OutlierPolicy bad: spec.alwaysEjectOneHost: Invalid value: 'sometimes': expected true or false.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_OutOfRangeValues_CoreRulesAtThePolicysFields()
    {
        var policy = IstioYaml.OutlierPolicy("bad", """
            host: api.example.com
            successRate: {requestVolume: 0, stdevFactor: -1, enforcementPercentage: 101}
            failurePercentage: {threshold: 150, minimumHosts: -2}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Equal(
            [
                "Error [mesh.yaml:15:32] OutlierPolicy bad: spec.successRate.requestVolume must be at least 1 (was '0').",
                "Error [mesh.yaml:15:48] OutlierPolicy bad: spec.successRate.stdevFactor must not be negative (was '-1').",
                "Error [mesh.yaml:15:75] OutlierPolicy bad: spec.successRate.enforcementPercentage percentage 101 is not in range 0..100.",
                "Error [mesh.yaml:16:34] OutlierPolicy bad: spec.failurePercentage.threshold percentage 150 is not in range 0..100.",
                "Error [mesh.yaml:16:53] OutlierPolicy bad: spec.failurePercentage.minimumHosts must not be negative (was '-2').",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_UnknownHostAndSecondPolicy_WarnedFirstWins()
    {
        var policies = IstioYaml.Stream(
            IstioYaml.OutlierPolicy("first", "{host: api.example.com, successRate: {minimumHosts: 3}}"),
            IstioYaml.OutlierPolicy("second", "{host: api.example.com, successRate: {minimumHosts: 4}}"),
            IstioYaml.OutlierPolicy("other", "{host: other.example.com, alwaysEjectOneHost: true}"));

        var result = IstioConfigurationLoader.LoadYaml(Service + Rule + policies, "mesh.yaml");

        Assert.Equal(
            [
                "Warning [mesh.yaml:34:14] OutlierPolicy second: spec.host 'api.example.com': ServiceEntry api already takes its outlier settings from OutlierPolicy first (mesh.yaml:26:1); the first one wins.",
                "Warning [mesh.yaml:39:14] OutlierPolicy other: spec.host 'other.example.com' matches no ServiceEntry host, so the OutlierPolicy has no effect (MeshClient only knows hosts declared by ServiceEntries).",
            ],
            result.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(3, Assert.Single(result.Options.ExternalServices).TrafficPolicy.OutlierDetection!.SuccessRate!.MinimumHosts);
    }

    [Fact]
    public void LoadYaml_PolicyForAnotherHostOfAnEntry_DoesNotReachEntriesSharingItsRule()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: both}
            spec: {hosts: [a.example.com, b.example.com], resolution: DNS, ports: [{number: 80, name: http, protocol: HTTP}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: only-a}
            spec: {hosts: [a.example.com], resolution: DNS, ports: [{number: 80, name: http, protocol: HTTP}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: a}
            spec:
              host: a.example.com
              trafficPolicy:
                outlierDetection: {consecutive5xxErrors: 3}
                portLevelSettings: [{port: {number: 80}, outlierDetection: {consecutive5xxErrors: 4}}]
              subsets: [{name: v1, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 6}}}]
            ---
            apiVersion: meshclient.io/v1alpha1
            kind: OutlierPolicy
            metadata: {name: b}
            spec: {host: b.example.com, failurePercentage: {threshold: 70}}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "mesh.yaml");

        var both = result.Options.ExternalServices.Single(s => s.Name == "both");
        var onlyA = result.Options.ExternalServices.Single(s => s.Name == "only-a");
        Assert.Equal(70, both.TrafficPolicy.OutlierDetection!.FailurePercentage!.Threshold);
        Assert.Equal(70, both.TrafficPolicy.PortLevelSettings[0].OutlierDetection!.FailurePercentage!.Threshold);
        Assert.Equal(70, both.Subsets[0].TrafficPolicy!.OutlierDetection!.FailurePercentage!.Threshold);
        Assert.Equal((3, 4, 6), (both.TrafficPolicy.OutlierDetection.Consecutive5xxErrors, both.TrafficPolicy.PortLevelSettings[0].OutlierDetection!.Consecutive5xxErrors, both.Subsets[0].TrafficPolicy!.OutlierDetection!.Consecutive5xxErrors));
        Assert.Null(onlyA.TrafficPolicy.OutlierDetection!.FailurePercentage);
        Assert.Null(onlyA.TrafficPolicy.PortLevelSettings[0].OutlierDetection!.FailurePercentage);
        Assert.Null(onlyA.Subsets[0].TrafficPolicy!.OutlierDetection!.FailurePercentage);
        Assert.Equal("v1", both.Subsets[0].Name);
    }

    [Fact]
    public void LoadYaml_OtherApiVersion_Rejected()
    {
        const string Policy = "apiVersion: meshclient.io/v1\nkind: OutlierPolicy\nmetadata: {name: p}\nspec: {host: api.example.com}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Policy, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Equal("Error [mesh.yaml:10:13] OutlierPolicy p: apiVersion: Unsupported value: 'meshclient.io/v1': OutlierPolicy is served as meshclient.io/v1alpha1.", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Validate_Tool_ReadsOutlierPolicyAndListsItInHelp()
    {
        using var folder = new TempFolder();
        var file = folder.Write("outlier-policy.yaml", Service + IstioYaml.OutlierPolicy("p", "{host: api.example.com, successRate: {requestVolume: 0}}"));

        var run = ToolRun.Validate(file);
        var help = ToolRun.Help();

        Assert.Equal(Program.ErrorsFound, run.Code);
        Assert.Contains($"Error [{file}:13:60] OutlierPolicy p: spec.successRate.requestVolume must be at least 1 (was '0').", run.Output, StringComparison.Ordinal);
        Assert.Contains("OutlierPolicy", help, StringComparison.Ordinal);
    }
}
