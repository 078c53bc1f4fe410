using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Istio.Tests;

/// <summary><c>portLevelSettings[].loadBalancer</c> from DestinationRule YAML.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class PortLevelLoadBalancerMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", ports: $"{IstioYaml.Http80}, {IstioYaml.Https443}", endpoints: ["10.0.0.1", "10.0.0.2"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_PortLevelLoadBalancer_MappedForThatPortWithoutWarnings()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer: {simple: RANDOM}
              portLevelSettings:
              - port: {number: 80}
                loadBalancer:
                  consistentHash: {httpHeaderName: x-user, maglev: {tableSize: 65537}}
              - port: {number: 443}
                loadBalancer:
                  simple: ROUND_ROBIN
                  warmup: {duration: 30s}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        var service = Assert.Single(result.Options.ExternalServices);
        Assert.Equal(2, service.TrafficPolicy.PortLevelSettings.Count);
        Assert.Equal("x-user", service.TrafficPolicy.PortLevelSettings[0].LoadBalancer!.ConsistentHash!.HttpHeaderName);
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, service.TrafficPolicy.PortLevelSettings[1].LoadBalancer!.Simple);
        Assert.Equal(TimeSpan.FromSeconds(30), service.TrafficPolicy.PortLevelSettings[1].LoadBalancer!.Warmup!.Duration);

        var snapshot = MeshSnapshot.Build(result.Options);
        var http = snapshot.Clusters.Single(c => c.Key.ToString() == "outbound|80||api.example.com").LoadBalancing;
        var https = snapshot.Clusters.Single(c => c.Key.ToString() == "outbound|443||api.example.com").LoadBalancing;
        Assert.True(http.Maglev);
        Assert.Equal(65537, http.MaglevTableSize);
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, https.Algorithm);
        Assert.NotNull(https.SlowStart);
    }

    [Fact]
    public void LoadYaml_PortLevelEntryWithOnlyAPort_ResetsThatPortToTheDefaults()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer: {simple: RANDOM}
              portLevelSettings:
              - port: {number: 80}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var snapshot = MeshSnapshot.Build(result.Options);
        Assert.Equal(LoadBalancerAlgorithm.LeastRequest, snapshot.Clusters.Single(c => c.Key.ToString() == "outbound|80||api.example.com").LoadBalancing.Algorithm);
        Assert.Equal(LoadBalancerAlgorithm.Random, snapshot.Clusters.Single(c => c.Key.ToString() == "outbound|443||api.example.com").LoadBalancing.Algorithm);
    }

    [Fact]
    public void LoadYaml_InvalidPortLevelLoadBalancer_ErrorsAtThePortLevelPath()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              portLevelSettings:
              - port: {number: 80}
                loadBalancer:
                  simple: FASTEST
                  warmup: {minimumPercent: 120}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:19:17] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].loadBalancer.simple: Unsupported value: 'FASTEST': supported values: UNSPECIFIED, ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH, PEAK_EWMA.",
                "Error [mesh.yaml:20:17] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].loadBalancer.warmup.duration: Required value: warmup needs a duration.",
                "Error [mesh.yaml:20:34] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].loadBalancer.warmup.minimumPercent: Invalid value: 120: must be between 0 and 100.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }
}
