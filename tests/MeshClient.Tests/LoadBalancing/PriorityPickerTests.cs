using System.Net;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>Envoy's priority load (overprovisioning 1.4), panic per priority and locality weights, over the policy's pickers.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class PriorityPickerTests
{
    private static readonly HttpMessageInvoker Unused = new(new TestSupport.RecordingHandler());
    private int _next;

    private static ClusterDefinition Definition(int minHealthPercent = 0, LoadBalancerAlgorithm algorithm = LoadBalancerAlgorithm.RoundRobin) => new(
        new ClusterKey("api.example.com", 80),
        "api.example.com",
        ServiceResolution.Static,
        ServiceProtocol.Http,
        algorithm,
        null,
        [],
        outlierDetection: OutlierDetectionSettings.From(new OutlierDetectionOptions { MinHealthPercent = minHealthPercent }),
        loadBalancing: LoadBalancerSettings.From(new LoadBalancerOptions { Simple = algorithm }));

    private MeshEndpoint[] Endpoints(int count, int priority, string? locality = null, int localityWeight = 0, int unhealthy = 0)
    {
        var endpoints = new MeshEndpoint[count];
        for (var i = 0; i < count; i++)
        {
            _next++;
            var definition = new EndpointDefinition(IPAddress.Parse($"10.0.{_next / 250}.{(_next % 250) + 1}"), 80, 1, locality) { Priority = priority, LocalityWeight = localityWeight };
            endpoints[i] = new MeshEndpoint(definition, Unused);
            if (i < unhealthy)
            {
                endpoints[i].SetUnavailable(EndpointUnavailability.Ejected, true);
            }
        }

        return endpoints;
    }

    private static PriorityPicker Create(ClusterDefinition definition, params MeshEndpoint[][] groups)
    {
        MeshEndpoint[] all = [.. groups.SelectMany(g => g)];
        return PriorityPicker.Create(EndpointPickerFactory.Ordered, definition, all, [.. all.Where(e => e.Unavailability == EndpointUnavailability.None)]);
    }

    private static Dictionary<int, int> CountByPriority(PriorityPicker picker, int picks)
    {
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < picks; i++)
        {
            var endpoint = picker.Pick(new PickContext(null, null)).Endpoint;
            var key = endpoint is null ? -1 : endpoint.Definition.Priority;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    [Theory]
    [InlineData(new[] { 100, 100 }, new[] { 100, 0 })]
    [InlineData(new[] { 70, 100 }, new[] { 70, 30 })]
    [InlineData(new[] { 50, 20 }, new[] { 72, 28 })] // normalised to 70: 71 + 28, the rounding remainder to the first priority
    [InlineData(new[] { 0, 0, 100 }, new[] { 0, 0, 100 })]
    [InlineData(new[] { 40, 30, 100 }, new[] { 40, 30, 30 })]
    public void DistributeLoad_EnvoysArithmetic(int[] health, int[] expected)
    {
        var loads = new int[health.Length];
        PriorityPicker.DistributeLoad(loads, health, Math.Min(100, health.Sum()));

        Assert.Equal(expected, loads);
    }

    [Fact]
    public void Create_EightOfTenHealthy_OverprovisioningKeepsAllTraffic()
    {
        var picker = Create(Definition(), Endpoints(10, 0, unhealthy: 2), Endpoints(2, 1));

        Assert.Equal([100, 0], picker.Loads); // 140 × 8 / 10 = 112 → 100
        Assert.Equal(new Dictionary<int, int> { [0] = 1000 }, CountByPriority(picker, 1000));
    }

    [Fact]
    public void Pick_SevenOfTenHealthy_SpillsTheMissingShareToTheNextPriority()
    {
        var picker = Create(Definition(), Endpoints(10, 0, unhealthy: 3), Endpoints(2, 1));

        Assert.Equal([98, 2], picker.Loads); // 140 × 7 / 10 = 98
        Assert.Equal(new Dictionary<int, int> { [0] = 980, [1] = 20 }, CountByPriority(picker, 1000));
    }

    [Fact]
    public void Pick_HalfHealthy_SpillsThirtyPercent()
    {
        var picker = Create(Definition(), Endpoints(4, 0, unhealthy: 2), Endpoints(2, 1), Endpoints(2, 3));

        Assert.Equal([70, 30, 0], picker.Loads);
        var counts = CountByPriority(picker, 10_000);
        Assert.Equal(7000, counts[0]);
        Assert.Equal(3000, counts[1]);
        Assert.False(counts.ContainsKey(3));
    }

    [Fact]
    public void Pick_FirstPriorityAllEjected_EverythingToTheNext()
    {
        var picker = Create(Definition(), Endpoints(2, 0, unhealthy: 2), Endpoints(1, 2));

        Assert.Equal([0, 100], picker.Loads);
        Assert.Equal(new Dictionary<int, int> { [2] = 100 }, CountByPriority(picker, 100));
    }

    [Fact]
    public void Pick_NothingHealthyWithoutPanic_NoEndpoint()
    {
        var picker = Create(Definition(), Endpoints(2, 0, unhealthy: 2), Endpoints(1, 1, unhealthy: 1));

        Assert.Null(picker.Pick(new PickContext(null, null)).Endpoint); // Envoy UH: Istio's minHealthPercent 0 never panics
    }

    [Fact]
    public void Pick_NothingHealthyWithPanic_LoadByEndpointCountOverAllEndpoints()
    {
        var picker = Create(Definition(minHealthPercent: 50), Endpoints(3, 0, unhealthy: 3), Endpoints(1, 1, unhealthy: 1));

        Assert.Equal([75, 25], picker.Loads);
        Assert.Equal(new Dictionary<int, int> { [0] = 750, [1] = 250 }, CountByPriority(picker, 1000));
    }

    [Fact]
    public void Pick_PriorityUnderPanicThreshold_BalancesOverAllItsEndpoints()
    {
        // Priority 0: 1 of 4 healthy (25 % < 50 %): panic; its load is 35 (140 × 1 / 4), the rest spills.
        var first = Endpoints(4, 0, unhealthy: 3);
        var picker = Create(Definition(minHealthPercent: 50), first, Endpoints(2, 1));

        Assert.Equal([35, 65], picker.Loads);
        var picked = new HashSet<MeshEndpoint>();
        for (var i = 0; i < 1000; i++)
        {
            if (picker.Pick(new PickContext(null, null)).Endpoint is { Definition.Priority: 0 } endpoint)
            {
                picked.Add(endpoint);
            }
        }

        Assert.Equal(first.ToHashSet(), picked); // the ejected ones too
    }

    [Fact]
    public void Pick_LocalityWeights_SplitByWeightWithinTolerance()
    {
        var west = Endpoints(2, 0, "us-west/zone1", localityWeight: 80);
        var east = Endpoints(2, 0, "us-east/zone1", localityWeight: 20);
        var picker = Create(Definition(algorithm: LoadBalancerAlgorithm.Random), west, east);

        var westPicks = 0;
        for (var i = 0; i < 10_000; i++)
        {
            westPicks += Array.IndexOf(west, picker.Pick(new PickContext(null, null)).Endpoint) >= 0 ? 1 : 0;
        }

        Assert.InRange(westPicks / 10_000.0, 0.79, 0.81);
    }

    [Fact]
    public void Pick_LocalityHalfEjected_WeightScaledByItsAvailability()
    {
        // us-west: 2 of 4 healthy → availability min(100, 140 × 2 / 4) = 70; 80 × 70 : 20 × 100 = 5600 : 2000.
        var west = Endpoints(4, 0, "us-west/zone1", localityWeight: 80, unhealthy: 2);
        var east = Endpoints(2, 0, "us-east/zone1", localityWeight: 20);
        var picker = Create(Definition(algorithm: LoadBalancerAlgorithm.Random), west, east);

        var westPicks = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var endpoint = picker.Pick(new PickContext(null, null)).Endpoint!;
            Assert.Equal(EndpointUnavailability.None, endpoint.Unavailability);
            westPicks += Array.IndexOf(west, endpoint) >= 0 ? 1 : 0;
        }

        Assert.InRange(westPicks / 10_000.0, (5600.0 / 7600) - 0.01, (5600.0 / 7600) + 0.01);
    }

    [Fact]
    public void IsNeeded_AllPriorityZeroWithoutLocalityWeights_False()
    {
        Assert.False(PriorityPicker.IsNeeded(Endpoints(3, 0, "us-west/zone1")));
        Assert.True(PriorityPicker.IsNeeded([.. Endpoints(1, 0), .. Endpoints(1, 1)]));
    }

    [Fact]
    public void Pick_ManyPicks_NoAllocation()
    {
        var picker = Create(Definition(), Endpoints(4, 0, unhealthy: 2), Endpoints(2, 1));
        var context = new PickContext(null, null);
        picker.Pick(in context);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            picker.Pick(in context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
