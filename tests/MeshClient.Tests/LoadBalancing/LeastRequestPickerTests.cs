using MeshClient.LoadBalancing;
using static MeshClient.Tests.LoadBalancing.PickerTestSupport;

namespace MeshClient.Tests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class LeastRequestPickerTests
{
    [Fact]
    public void Pick_NoEndpoints_ReturnsNone() =>
        Assert.Null(new LeastRequestPicker([], new Random(1)).Pick(default).Endpoint);

    [Fact]
    public void Pick_EqualWeightsIdle_SpreadsEvenly()
    {
        var shares = Shares(new LeastRequestPicker(Endpoints(1, 1, 1, 1), new Random(1)), 40_000);

        Assert.All(shares, s => Assert.InRange(s, 0.23, 0.27));
    }

    [Fact]
    public void Pick_PowerOfTwoChoices_PrefersTheLessLoadedEndpoint()
    {
        var endpoints = Endpoints(1, 1, 1, 1);
        Load(endpoints[0], 5);

        var shares = Shares(new LeastRequestPicker(endpoints, new Random(2)), 40_000);

        // Drawn with replacement (Envoy): the loaded endpoint wins only when both draws are it, 1/16.
        Assert.InRange(shares[0], 0.05, 0.075);
        Assert.All(shares[1..], s => Assert.InRange(s, 0.29, 0.34));
    }

    [Fact]
    public void Pick_MoreChoices_AvoidTheLoadedEndpointMore()
    {
        var endpoints = Endpoints(1, 1, 1, 1);
        Load(endpoints[0], 5);

        var shares = Shares(new LeastRequestPicker(endpoints, new Random(3), choiceCount: 3), 40_000);

        Assert.InRange(shares[0], 0.01, 0.025); // 1/64
    }

    [Fact]
    public void Pick_UnequalWeightsIdle_ProportionalToWeight()
    {
        var shares = Shares(new LeastRequestPicker(Endpoints(3, 1), new Random(4)), 40_000);

        Assert.InRange(shares[0], 0.73, 0.77);
    }

    [Fact]
    public void Pick_UnequalWeightsUnderLoad_EffectiveWeightIsWeightOverActivePlusOne()
    {
        var endpoints = Endpoints(2, 1);
        Load(endpoints[0], 1); // 2 / (1 + 1) = 1, as much as the idle weight-1 endpoint

        var shares = Shares(new LeastRequestPicker(endpoints, new Random(5)), 40_000);

        Assert.InRange(shares[0], 0.48, 0.52);
    }

    [Fact]
    public void Pick_UnequalWeightsAllBusy_StillEffectiveWeights()
    {
        var endpoints = Endpoints(2, 1, 1);
        Load(endpoints[0], 20); // 2/21 — most weighted draws are rejected, so the exact pass runs too
        Load(endpoints[1], 9); // 1/10
        Load(endpoints[2], 41); // 1/42

        var shares = Shares(new LeastRequestPicker(endpoints, new Random(8)), 40_000);

        var total = (2 / 21.0) + (1 / 10.0) + (1 / 42.0);
        Assert.InRange(shares[0], (2 / 21.0 / total) - 0.01, (2 / 21.0 / total) + 0.01);
        Assert.InRange(shares[1], (1 / 10.0 / total) - 0.01, (1 / 10.0 / total) + 0.01);
    }

    [Fact]
    public void Pick_UnequalWeightsBias2_LoadCountsSquared()
    {
        var endpoints = Endpoints(8, 1);
        Load(endpoints[0], 1); // 8 / (1 + 1)^2 = 2 against 1

        var shares = Shares(new LeastRequestPicker(endpoints, new Random(6), activeRequestBias: 2.0), 40_000);

        Assert.InRange(shares[0], 0.65, 0.68);
    }

    [Fact]
    public void Pick_UnequalWeightsBias0_IgnoresLoad()
    {
        var endpoints = Endpoints(3, 1);
        Load(endpoints[0], 10);

        var shares = Shares(new LeastRequestPicker(endpoints, new Random(7), activeRequestBias: 0), 40_000);

        Assert.InRange(shares[0], 0.73, 0.77);
    }
}
