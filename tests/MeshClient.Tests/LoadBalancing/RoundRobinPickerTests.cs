using System.Net;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class RoundRobinPickerTests
{
    // The picker never sends: one idle connection pool stands in for every endpoint's.
    private static readonly HttpMessageInvoker Unused = new(new Tests.TestSupport.RecordingHandler());

    private static MeshEndpoint[] Endpoints(params int[] weights) =>
        weights.Select((w, i) => new MeshEndpoint(new EndpointDefinition(IPAddress.Parse($"10.0.0.{i + 1}"), 80, w, null), Unused)).ToArray();

    [Fact]
    public void Pick_NoEndpoints_ReturnsNone() =>
        Assert.Null(new RoundRobinPicker([]).Pick());

    [Fact]
    public void Pick_EqualWeights_CyclesInOrder()
    {
        var endpoints = Endpoints(1, 1, 1);
        var picker = new RoundRobinPicker(endpoints);

        var picks = Enumerable.Range(0, 6).Select(_ => picker.Pick()!.Authority).ToArray();

        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"], picks);
    }

    [Fact]
    public void BuildSequence_Weights_AreSmoothlyInterleaved()
    {
        // nginx's smooth weighted round robin: 5,1,1 -> a a b a c a a.
        Assert.Equal([0, 0, 1, 0, 2, 0, 0], RoundRobinPicker.BuildSequence(Endpoints(5, 1, 1)));
    }

    [Theory]
    [InlineData(new[] { 2, 1, 1 })]
    [InlineData(new[] { 70, 20, 10 })]
    [InlineData(new[] { 1, 1000000 })]
    public void Pick_Weighted_DistributionWithinTolerance(int[] weights)
    {
        var endpoints = Endpoints(weights);
        var picker = new RoundRobinPicker(endpoints);
        const int Picks = 100_000;
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Picks; i++)
        {
            var authority = picker.Pick()!.Authority;
            counts[authority] = counts.GetValueOrDefault(authority) + 1;
        }

        double total = weights.Sum(w => (long)w);
        for (var i = 0; i < endpoints.Length; i++)
        {
            var expected = weights[i] / total;
            var actual = counts.GetValueOrDefault(endpoints[i].Authority) / (double)Picks;

            // Scaling long sequences down to 4096 slots keeps every endpoint at least one slot.
            Assert.InRange(actual, expected - 0.01, expected + 0.01 + (1.0 / RoundRobinPicker.MaxSequenceLength));
        }
    }

    [Fact]
    public void Pick_Concurrent_EveryPickCounted()
    {
        var endpoints = Endpoints(1, 1);
        var picker = new RoundRobinPicker(endpoints);
        var counts = new int[2];

        Parallel.For(0, 10_000, _ => Interlocked.Increment(ref counts[picker.Pick()!.Authority == "10.0.0.1:80" ? 0 : 1]));

        Assert.Equal(5_000, counts[0]);
        Assert.Equal(5_000, counts[1]);
    }
}
