using MeshClient.Configuration;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using static MeshClient.Tests.LoadBalancing.PickerTestSupport;

namespace MeshClient.Tests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class EndpointPickerFactoryTests
{
    private static ClusterDefinition Definition(LoadBalancerOptions? options) => new(
        new ClusterKey("api.example.com", 80),
        "api.example.com",
        ServiceResolution.Static,
        ServiceProtocol.Http,
        options?.Simple ?? LoadBalancerAlgorithm.Unspecified,
        null,
        [],
        loadBalancing: LoadBalancerSettings.From(options));

    [Theory]
    [InlineData(LoadBalancerAlgorithm.Unspecified, typeof(LeastRequestPicker))] // Istio's default
    [InlineData(LoadBalancerAlgorithm.LeastRequest, typeof(LeastRequestPicker))]
    [InlineData(LoadBalancerAlgorithm.RoundRobin, typeof(RoundRobinPicker))]
    [InlineData(LoadBalancerAlgorithm.Random, typeof(RandomPicker))]
    [InlineData(LoadBalancerAlgorithm.PeakEwma, typeof(PeakEwmaPicker))]
    public void Create_Simple_ChoosesThePolicy(LoadBalancerAlgorithm algorithm, Type expected) =>
        Assert.IsType(expected, EndpointPickerFactory.Instance.Create(Definition(new LoadBalancerOptions { Simple = algorithm }), Endpoints(1, 1)));

    [Fact]
    public void Create_NoOptions_LeastRequest() =>
        Assert.IsType<LeastRequestPicker>(EndpointPickerFactory.Instance.Create(Definition(null), Endpoints(1, 1)));

    [Fact]
    public void Create_ConsistentHash_RingByDefaultMaglevWhenSet()
    {
        var ring = new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user" } };
        var maglev = new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user", Maglev = new MaglevOptions { TableSize = 251 } } };

        Assert.IsType<RingHashPicker>(EndpointPickerFactory.Instance.Create(Definition(ring), Endpoints(1, 1)));
        Assert.IsType<MaglevPicker>(EndpointPickerFactory.Instance.Create(Definition(maglev), Endpoints(1, 1)));
    }

    [Fact]
    public void IsEquivalentTo_LoadBalancerSettingsChange_NotEquivalent()
    {
        var before = Definition(new LoadBalancerOptions());
        var same = Definition(new LoadBalancerOptions());
        var otherBias = Definition(new LoadBalancerOptions { LeastRequest = new LeastRequestOptions { ActiveRequestBias = 2 } });
        var otherKey = Definition(new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user" } });

        Assert.True(before.IsEquivalentTo(same));
        Assert.False(before.IsEquivalentTo(otherBias));
        Assert.False(before.IsEquivalentTo(otherKey));
    }
}
