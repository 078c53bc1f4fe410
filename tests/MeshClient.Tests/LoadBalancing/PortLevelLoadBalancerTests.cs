using MeshClient.Configuration;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.LoadBalancing;

/// <summary><c>portLevelSettings[].loadBalancer</c> with Istio's merge: a port-level entry replaces the service's load balancer for its port and inherits nothing of it.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class PortLevelLoadBalancerTests
{
    private static ExternalServiceOptions Service(Action<ExternalServiceOptions> configure)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        Labelled(service); // the service's algorithm: ROUND_ROBIN
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        configure(service);
        return service;
    }

    private static MeshSnapshot Snapshot(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        return MeshSnapshot.Build(options);
    }

    private static ClusterDefinition Cluster(MeshSnapshot snapshot, string name) => snapshot.Clusters.Single(c => c.Key.ToString() == name);

    [Fact]
    public void Snapshot_TwoPortsOfOneService_GetDifferentPickers()
    {
        var snapshot = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            LoadBalancer = new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user", Maglev = new MaglevOptions() } },
        })));

        var https = Cluster(snapshot, "outbound|443||api.example.com");
        var http = Cluster(snapshot, "outbound|80||api.example.com");
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, https.LoadBalancing.Algorithm);
        Assert.Null(https.LoadBalancing.Hash);
        Assert.NotNull(http.LoadBalancing.Hash);
        Assert.True(http.LoadBalancing.Maglev);
    }

    [Fact]
    public void Snapshot_PortLevelEntryWithoutLoadBalancer_GivesThatPortLeastRequest()
    {
        // Istio: "default values will be applied to fields omitted in port-level traffic policies".
        var snapshot = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            ConnectionPool = new ConnectionPoolOptions { Tcp = new TcpConnectionPoolOptions { MaxConnections = 5 } },
        })));

        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, Cluster(snapshot, "outbound|443||api.example.com").LoadBalancing.Algorithm);
        Assert.Equal(LoadBalancerAlgorithm.LeastRequest, Cluster(snapshot, "outbound|80||api.example.com").LoadBalancing.Algorithm);
    }

    [Fact]
    public void Snapshot_SubsetComponentOverServicePortLevel_ThenSubsetPortLevelOverBoth()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.Random } });
            s.Subsets[0].TrafficPolicy = new TrafficPolicyOptions { LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.LeastRequest } };
            s.Subsets[1].TrafficPolicy = new TrafficPolicyOptions { LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.LeastRequest } };
            s.Subsets[1].TrafficPolicy!.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.RoundRobin } });
            s.Http.Add(Route(To("api.example.com", "v1", 1, 443), To("api.example.com", "v2", 1, 443)));
        }));

        Assert.Equal(LoadBalancerAlgorithm.Random, Cluster(snapshot, "outbound|443||api.example.com").LoadBalancing.Algorithm);
        Assert.Equal(LoadBalancerAlgorithm.LeastRequest, Cluster(snapshot, "outbound|443|v1|api.example.com").LoadBalancing.Algorithm); // the subset's component replaces the service's port-level one
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, Cluster(snapshot, "outbound|443|v2|api.example.com").LoadBalancing.Algorithm); // the subset's own port-level entry wins
    }

    [Fact]
    public void Snapshot_ReloadChangingOnlyAPortsAlgorithm_ChangesOnlyThatClustersDefinition()
    {
        var before = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 80, LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.Random } })));
        var after = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 80, LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.LeastRequest } })));

        Assert.True(Cluster(before, "outbound|443||api.example.com").IsEquivalentTo(Cluster(after, "outbound|443||api.example.com")));
        Assert.False(Cluster(before, "outbound|80||api.example.com").IsEquivalentTo(Cluster(after, "outbound|80||api.example.com")));
    }

    [Fact]
    public void Validate_PortLevelLoadBalancer_ErrorsAtThePortLevelPath()
    {
        var service = Service(s =>
        {
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443 });
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
            {
                Port = 80,
                LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.Passthrough, LeastRequest = new LeastRequestOptions { ChoiceCount = 1 } },
            });
        });
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var messages = MeshOptionsValidator.Validate(options).Select(d => d.ToString()).ToArray();

        Assert.Contains("error: External service 'api.example.com': trafficPolicy.portLevelSettings[1].loadBalancer.simple PASSTHROUGH applies only to resolution NONE (resolution is STATIC); use LEAST_REQUEST, ROUND_ROBIN, RANDOM or consistentHash.", messages);
        Assert.Contains(messages, m => m.StartsWith("error: External service 'api.example.com': trafficPolicy.portLevelSettings[1].loadBalancer.leastRequest.choiceCount must be between 2 and ", StringComparison.Ordinal));
    }

    [Fact]
    public void BindConfiguration_PortLevelLoadBalancer_BindsWithIstioSpellings()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "PortLevelSettings": [
                { "Port": 8080, "LoadBalancer": { "Simple": "ROUND_ROBIN" } },
                { "Port": 9090, "LoadBalancer": { "ConsistentHash": { "HttpHeaderName": "x-user" } } } ] } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Empty(options.SourceDiagnostics);
        var levels = options.ExternalServices[0].TrafficPolicy.PortLevelSettings;
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, levels[0].LoadBalancer!.Simple);
        Assert.Equal("x-user", levels[1].LoadBalancer!.ConsistentHash!.HttpHeaderName);
    }
}
