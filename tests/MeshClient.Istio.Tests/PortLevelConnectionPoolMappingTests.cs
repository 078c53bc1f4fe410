using MeshClient.Model;

namespace MeshClient.Istio.Tests;

/// <summary><c>portLevelSettings[].connectionPool</c> from DestinationRule YAML.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class PortLevelConnectionPoolMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", ports: $"{IstioYaml.Http80}, {IstioYaml.Https443}", endpoints: ["10.0.0.1", "10.0.0.2"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_PortLevelConnectionPool_MappedForThatPortWithoutWarnings()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              connectionPool:
                tcp: {maxConnections: 100}
              portLevelSettings:
              - port: {number: 80}
                connectionPool:
                  tcp: {maxConnections: 1, connectTimeout: 250ms}
                  http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
            subsets:
            - name: v1
              trafficPolicy:
                portLevelSettings:
                - port: {number: 443}
                  connectionPool:
                    http: {http2MaxRequests: 7}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        var service = Assert.Single(result.Options.ExternalServices);
        var level = Assert.Single(service.TrafficPolicy.PortLevelSettings);
        Assert.Equal(80, level.Port);
        Assert.Null(level.Tls);
        Assert.Null(level.OutlierDetection);
        Assert.Equal(1, level.ConnectionPool!.Tcp.MaxConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(250), level.ConnectionPool.Tcp.ConnectTimeout);
        Assert.Equal(1, level.ConnectionPool.Http.Http1MaxPendingRequests);
        Assert.Equal(1, level.ConnectionPool.Http.MaxRequestsPerConnection);
        Assert.Equal(100, service.TrafficPolicy.ConnectionPool!.Tcp.MaxConnections);
        Assert.Equal(7, Assert.Single(service.Subsets[0].TrafficPolicy!.PortLevelSettings).ConnectionPool!.Http.Http2MaxRequests);

        var snapshot = MeshSnapshot.Build(result.Options);
        Assert.Equal(1, snapshot.Clusters.Single(c => c.Key.ToString() == "outbound|80||api.example.com").Limits.MaxConnections);
        Assert.Equal(100, snapshot.Clusters.Single(c => c.Key.ToString() == "outbound|443||api.example.com").Limits.MaxConnections);
    }

    [Fact]
    public void LoadYaml_InvalidPortLevelConnectionPool_ErrorsAtThePortLevelPath()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              portLevelSettings:
              - port: {number: 80}
                connectionPool:
                  tcp: {maxConnections: -1, connectTimeout: 1us}
              - port: {number: 443}
                connectionPool: {}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:19:31] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].connectionPool.tcp.maxConnections: Invalid value: -1: max connections must be non-negative.",
                "Error [mesh.yaml:19:51] DestinationRule api: spec.trafficPolicy.portLevelSettings[0].connectionPool.tcp.connectTimeout: Invalid value: '1us': duration must be greater than 1ms.",
                "Error [mesh.yaml:21:23] DestinationRule api: spec.trafficPolicy.portLevelSettings[1].connectionPool: Invalid value: connection pool must have at least one field.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }
}
