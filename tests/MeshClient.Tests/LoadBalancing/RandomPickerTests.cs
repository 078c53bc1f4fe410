using MeshClient.LoadBalancing;
using static MeshClient.Tests.LoadBalancing.PickerTestSupport;

namespace MeshClient.Tests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class RandomPickerTests
{
    [Fact]
    public void Pick_NoEndpoints_ReturnsNone() =>
        Assert.Null(new RandomPicker([], new Random(1)).Pick(default).Endpoint);

    [Theory]
    [InlineData(new[] { 1, 1, 1 })]
    [InlineData(new[] { 2, 1, 1 })]
    [InlineData(new[] { 70, 20, 10 })]
    [InlineData(new[] { 1, 1000 })]
    public void Pick_Weighted_DistributionWithinTolerance(int[] weights)
    {
        var shares = Shares(new RandomPicker(Endpoints(weights), new Random(42)), 100_000);

        double total = weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            Assert.InRange(shares[i], (weights[i] / total) - 0.01, (weights[i] / total) + 0.01);
        }
    }

    [Fact]
    public void Pick_Weighted_IgnoresLoad()
    {
        var endpoints = Endpoints(1, 1);
        Load(endpoints[0], 10);

        var shares = Shares(new RandomPicker(endpoints, new Random(9)), 40_000);

        Assert.InRange(shares[0], 0.48, 0.52);
    }
}
