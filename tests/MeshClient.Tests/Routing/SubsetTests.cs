using MeshClient.Configuration;
using MeshClient.Model;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class SubsetTests
{
    private static ExternalServiceOptions Service(Action<ExternalServiceOptions> configure)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        Labelled(service);
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.3") { Labels = { ["version"] = "v2", ["zone"] = "b" } });
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
    public void Snapshot_SubsetCluster_HasOnlyTheEndpointsWithEveryLabel()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.Subsets.Add(new SubsetOptions { Name = "v2b", Labels = { ["version"] = "v2", ["zone"] = "b" } });
            s.Subsets.Add(new SubsetOptions { Name = "all" });
            s.Http.Add(Route(To("api.example.com", "v1", 1), To("api.example.com", "v2", 1), To("api.example.com", "v2b", 1), To("api.example.com", "all", 1)));
        }));

        static string[] Addresses(ClusterDefinition cluster) => cluster.Endpoints.Select(e => e.Authority).ToArray();
        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443", "10.0.0.3:443"], Addresses(Cluster(snapshot, "outbound|443||api.example.com")));
        Assert.Equal(["10.0.0.1:443"], Addresses(Cluster(snapshot, "outbound|443|v1|api.example.com")));
        Assert.Equal(["10.0.0.2:443", "10.0.0.3:443"], Addresses(Cluster(snapshot, "outbound|443|v2|api.example.com")));
        Assert.Equal(["10.0.0.3:443"], Addresses(Cluster(snapshot, "outbound|443|v2b|api.example.com")));
        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443", "10.0.0.3:443"], Addresses(Cluster(snapshot, "outbound|443|all|api.example.com"))); // no labels: every endpoint
    }

    [Fact]
    public void Snapshot_SubsetNoRouteUses_NoCluster()
    {
        var snapshot = Snapshot(Service(_ => { }));

        Assert.Equal(["outbound|443||api.example.com"], snapshot.Clusters.Select(c => c.Key.ToString()));
    }

    [Fact]
    public void Snapshot_SubsetMatchingNoEndpoint_IsAnEmptyCluster()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.Subsets.Add(new SubsetOptions { Name = "v9", Labels = { ["version"] = "v9" } });
            s.Http.Add(Route(To("api.example.com", "v9")));
        }));

        Assert.Empty(Cluster(snapshot, "outbound|443|v9|api.example.com").Endpoints);
    }

    [Fact]
    public void Snapshot_SubsetPolicy_MergedOverTheServicePolicy()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 7 };
            s.Subsets[0].TrafficPolicy = new TrafficPolicyOptions { LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.Random } };
            s.Subsets[1].TrafficPolicy = new TrafficPolicyOptions { OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 2 } };
            s.Http.Add(Route(To("api.example.com", "v1", 1), To("api.example.com", "v2", 1)));
        }));

        var v1 = Cluster(snapshot, "outbound|443|v1|api.example.com");
        var v2 = Cluster(snapshot, "outbound|443|v2|api.example.com");
        Assert.Equal((LoadBalancerAlgorithm.Random, 7), (v1.LoadBalancer, v1.OutlierDetection!.Consecutive5xxErrors));
        Assert.Equal((LoadBalancerAlgorithm.RoundRobin, 2), (v2.LoadBalancer, v2.OutlierDetection!.Consecutive5xxErrors));
    }

    [Fact]
    public void Merge_EachComponentTheSubsetSets_ReplacesTheServicesWhole()
    {
        var service = new TrafficPolicyOptions
        {
            LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.LeastRequest },
            OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 9, MaxEjectionPercent = 50 },
        };
        var outlierOnly = new TrafficPolicyOptions { OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 1 } };
        var hash = new TrafficPolicyOptions { LoadBalancer = new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user" } } };

        Assert.Same(service, MeshSnapshot.Merge(service, null));

        var merged = MeshSnapshot.Merge(service, outlierOnly);
        Assert.Same(service.LoadBalancer, merged.LoadBalancer); // an unset (default) load balancer does not override
        Assert.Same(outlierOnly.OutlierDetection, merged.OutlierDetection);
        Assert.Equal(OutlierDetectionDefaults.MaxEjectionPercent, merged.OutlierDetection!.MaxEjectionPercent); // not field by field

        var hashed = MeshSnapshot.Merge(service, hash);
        Assert.Same(hash.LoadBalancer, hashed.LoadBalancer);
        Assert.Same(service.OutlierDetection, hashed.OutlierDetection);
    }

    [Fact]
    public async Task Runtime_SubsetCluster_SharesConnectionsAndLoad_KeepsItsOwnEndpointStateLikeAnEnvoyCluster()
    {
        using var harness = Mesh(s => s.Http.Add(Route(To("api.example.com", "v1"))));

        using var response = await harness.GetAsync("https://api.example.com/");

        var main = harness.Runtime.GetClusters().Single(c => c.Name == "outbound|443||api.example.com");
        var v1 = harness.Runtime.GetClusters().Single(c => c.Name == "outbound|443|v1|api.example.com");
        var subsetEndpoint = Assert.Single(v1.Endpoints);
        var mainEndpoint = main.Endpoints.Single(e => e.Authority == "10.0.0.1:443");
        Assert.NotSame(mainEndpoint, subsetEndpoint); // its own counters, outlier state and circuit breakers
        Assert.Same(mainEndpoint.Pool, subsetEndpoint.Pool); // the same connections (equal wire settings)
        Assert.Same(mainEndpoint.Load, subsetEndpoint.Load); // the same least-request load
        Assert.Equal(1, subsetEndpoint.Requests);
        Assert.Equal(0, mainEndpoint.Requests);
        Assert.Equal("10.0.0.1:443", response.GetMeshResult()!.Endpoint);
    }
}
