namespace MeshClient.Istio.Tests;

/// <summary>DestinationRule <c>loadBalancer.warmup</c> and <c>warmupDurationSecs</c> mapped to slow start.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class WarmupMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", endpoints: ["10.0.0.1", "10.0.0.2"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_Warmup_MapsEveryField()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                simple: ROUND_ROBIN
                warmup: {duration: 1m30s, minimumPercent: 20, aggression: 1.5}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("warmup", StringComparison.Ordinal));
        var warmup = Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer!.Warmup!;
        Assert.Equal((TimeSpan.FromSeconds(90), 20.0, 1.5), (warmup.Duration, warmup.MinimumPercent, warmup.Aggression));
    }

    [Fact]
    public void LoadYaml_SubsetWarmup_MapsOnTheSubsetsLoadBalancer()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            subsets:
            - name: v1
              labels: {version: v1}
              trafficPolicy:
                loadBalancer:
                  simple: LEAST_REQUEST
                  warmup: {duration: 30s, minimumPercent: 5}
            - name: v2
              labels: {version: v2}
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN, warmup: {minimumPercent: 5}}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        var service = Assert.Single(result.Options.ExternalServices);
        var warmup = service.Subsets.Single(s => s.Name == "v1").TrafficPolicy!.LoadBalancer.Warmup!;
        Assert.Equal((TimeSpan.FromSeconds(30), 5.0, 1.0), (warmup.Duration, warmup.MinimumPercent, warmup.Aggression));
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Message.Contains("spec.subsets[1].trafficPolicy.loadBalancer.warmup.duration: Required value", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadYaml_WarmupDurationSecs_TheOlderField_MapsTheWindow()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer: {simple: LEAST_REQUEST, warmupDurationSecs: 45s}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var warmup = Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer!.Warmup!;
        Assert.Equal((TimeSpan.FromSeconds(45), 10.0, 1.0), (warmup.Duration, warmup.MinimumPercent, warmup.Aggression));
    }

    [Fact]
    public void LoadYaml_InvalidWarmup_IstioMessages_NothingMapped()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                warmup: {minimumPercent: 120, aggression: 0.5}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        var errors = result.Diagnostics.Where(d => d.IsError).Select(d => d.Message).ToArray();
        Assert.Contains(errors, m => m.Contains("spec.trafficPolicy.loadBalancer.warmup.duration: Required value", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("spec.trafficPolicy.loadBalancer.warmup.minimumPercent: Invalid value: 120", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("spec.trafficPolicy.loadBalancer.warmup.aggression: Invalid value: 0.5", StringComparison.Ordinal));
    }
}
