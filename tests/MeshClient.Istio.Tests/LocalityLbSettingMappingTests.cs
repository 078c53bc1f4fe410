namespace MeshClient.Istio.Tests;

/// <summary>DestinationRule <c>loadBalancer.localityLbSetting</c> mapped (no longer "not supported yet") and validated with Istio's rules.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class LocalityLbSettingMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", body: """
            endpoints:
            - {address: 10.0.0.1, locality: us-west/zone1/a}
            - {address: 10.0.0.2, locality: us-east/zone1/a}
            """) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_Distribute_MapsEveryField()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                localityLbSetting:
                  enabled: true
                  distribute:
                  - from: us-west/zone1/*
                    to:
                      "us-west/zone1/*": 80
                      "us-east/*": 20
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("localityLbSetting", StringComparison.Ordinal));
        var setting = Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer!.LocalityLbSetting!;
        Assert.True(setting.Enabled);
        var distribute = Assert.Single(setting.Distribute);
        Assert.Equal("us-west/zone1/*", distribute.From);
        Assert.Equal(new Dictionary<string, int> { ["us-west/zone1/*"] = 80, ["us-east/*"] = 20 }, distribute.To);
    }

    [Fact]
    public void LoadYaml_FailoverAndFailoverPriority_Mapped()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              outlierDetection: {consecutive5xxErrors: 1, maxEjectionPercent: 100}
              loadBalancer:
                localityLbSetting:
                  failover: [{from: us-west, to: us-east}]
                  failoverPriority: [topology.istio.io/network, "version=v1"]
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var setting = Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer!.LocalityLbSetting!;
        var failover = Assert.Single(setting.Failover);
        Assert.Equal(("us-west", "us-east"), (failover.From, failover.To));
        Assert.Equal(["topology.istio.io/network", "version=v1"], setting.FailoverPriority);
        Assert.Null(setting.Enabled);
    }

    [Fact]
    public void Validate_DistributeWithFailover_IstiosError()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                localityLbSetting:
                  distribute: [{from: "us-west/*", to: {"us-west/*": 90}}]
                  failover: [{from: us-west, to: us-east}]
            """);

        var errors = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml").Validate().Where(d => d.IsError).Select(d => d.Message).ToArray();

        Assert.Contains(errors, e => e.EndsWith("trafficPolicy.loadBalancer.localityLbSetting can not simultaneously specify 'distribute' and 'failover'.", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to total locality weight 90 != 100.", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_FailoverWithoutOutlierDetection_Warns()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                localityLbSetting:
                  failover: [{from: us-west, to: us-east}]
            """);

        var findings = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml").Validate();

        Assert.DoesNotContain(findings, d => d.IsError);
        Assert.Contains(findings, d => d.Message.Contains("outlier detection policy must be provided for failover", StringComparison.Ordinal));
    }
}
