using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>Istio's translation of <c>localityLbSetting</c> into priorities and locality weights, for this client.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class LocalityAssignmentTests
{
    private static MeshOptions Mesh(string? clientLocality, Action<ExternalServiceOptions> configure, params (string Address, string? Locality)[] endpoints)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        foreach (var (address, locality) in endpoints)
        {
            service.Endpoints.Add(new ServiceEndpointOptions(address) { Locality = locality });
        }

        configure(service);
        var options = new MeshOptions { Locality = clientLocality };
        options.ExternalServices.Add(service);
        return options;
    }

    private static Dictionary<string, (int Priority, int LocalityWeight)> Assigned(MeshOptions options)
    {
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        var cluster = Assert.Single(MeshSnapshot.Build(options).Clusters);
        return cluster.Endpoints.ToDictionary(e => e.Address!.ToString(), e => (e.Priority, e.LocalityWeight));
    }

    private static readonly (string, string?)[] Spread =
    [
        ("10.0.0.1", "us-west/zone1/a"),
        ("10.0.0.2", "us-west/zone1/b"),
        ("10.0.0.3", "us-west/zone2/a"),
        ("10.0.0.4", "us-east/zone1/a"),
        ("10.0.0.5", "eu-west/zone1/a"),
    ];

    [Fact]
    public void Failover_WithOutlierDetection_PriorityByLocalityMatch()
    {
        var assigned = Assigned(Mesh("us-west/zone1/a", s => s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions(), Spread));

        Assert.Equal([0, 1, 2, 3, 3], assigned.Values.Select(v => v.Priority));
    }

    [Fact]
    public void Failover_FailoverRegion_OtherRegionsAfterIt()
    {
        var assigned = Assigned(Mesh("us-west/zone1/a", s =>
        {
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions();
            s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { Failover = { new LocalityFailoverOptions { From = "us-west", To = "eu-west" } } };
        }, Spread));

        Assert.Equal([0, 1, 2, 4, 3], assigned.Values.Select(v => v.Priority));
    }

    [Fact]
    public void Failover_WithoutOutlierDetection_OnePriority()
    {
        var assigned = Assigned(Mesh("us-west/zone1/a", s =>
            s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { Failover = { new LocalityFailoverOptions { From = "us-west", To = "eu-west" } } }, Spread));

        Assert.All(assigned.Values, v => Assert.Equal((0, 0), v));
    }

    [Fact]
    public void Disabled_OnePriorityEvenWithOutlierDetection()
    {
        var assigned = Assigned(Mesh("us-west/zone1/a", s =>
        {
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions();
            s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { Enabled = false };
        }, Spread));

        Assert.All(assigned.Values, v => Assert.Equal((0, 0), v));
    }

    [Fact]
    public void Failover_ClientWithoutLocality_EndpointsWithoutLocalityFirst()
    {
        var assigned = Assigned(Mesh(null, s => s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions(), ("10.0.0.1", "us-west/zone1"), ("10.0.0.2", null)));

        Assert.Equal([3, 0], assigned.Values.Select(v => v.Priority));
    }

    [Fact]
    public void Distribute_WeightsSplitByLocalityAndUnlistedLocalitiesDropped()
    {
        var assigned = Assigned(Mesh("us-west/zone1/a", s =>
        {
            var distribute = new LocalityDistributeOptions { From = "us-west/zone1/*" };
            distribute.To["us-west/zone1/*"] = 80;
            distribute.To["us-east/*"] = 20;
            s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { Distribute = { distribute } };
        }, Spread));

        // zone1's 80 split between its two localities (one endpoint each); us-west/zone2 and eu-west get nothing.
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.4"], assigned.Keys);
        Assert.Equal([(0, 40), (0, 40), (0, 20)], assigned.Values);
    }

    [Fact]
    public void Distribute_NoEntryForThisClient_Unchanged()
    {
        var assigned = Assigned(Mesh("ap-south/zone1", s =>
        {
            var distribute = new LocalityDistributeOptions { From = "us-west/*" };
            distribute.To["us-east/*"] = 100;
            s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { Distribute = { distribute } };
        }, Spread));

        Assert.Equal(5, assigned.Count);
        Assert.All(assigned.Values, v => Assert.Equal((0, 0), v));
    }

    [Fact]
    public void FailoverPriority_LabelsOrderTheEndpoints()
    {
        var options = Mesh("us-west/zone1", s =>
        {
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions();
            s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { FailoverPriority = { "topology.istio.io/network", "topology.kubernetes.io/region" } };
            s.Endpoints[0].Network = "net1"; // network and region match: 0
            s.Endpoints[1].Network = "net1";
            s.Endpoints[1].Locality = "eu-west/zone1"; // network only: 1
            s.Endpoints[2].Network = "net2"; // region only: 2 (the first label differs)
        }, ("10.0.0.1", "us-west/zone1"), ("10.0.0.2", "us-west/zone1"), ("10.0.0.3", "us-west/zone2"));
        options.Labels["topology.istio.io/network"] = "net1";

        Assert.Equal([0, 1, 2], Assigned(options).Values.Select(v => v.Priority));
    }

    [Fact]
    public void Reload_LocalityChange_ChangesTheDefinition()
    {
        var before = MeshSnapshot.Build(Mesh("us-west/zone1/a", s => s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions(), Spread)).Clusters[0];
        var after = MeshSnapshot.Build(Mesh("us-east/zone1/a", s => s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions(), Spread)).Clusters[0];

        Assert.False(before.IsEquivalentTo(after));
    }
}
