using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using Microsoft.Extensions.Time.Testing;
using static MeshClient.Tests.LoadBalancing.PickerTestSupport;

namespace MeshClient.Tests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class PeakEwmaPickerTests
{
    private readonly FakeTimeProvider _time = new();

    private static ClusterDefinition Definition(MeshEndpoint[] endpoints) => new(
        new ClusterKey("api.example.com", 80),
        "api.example.com",
        ServiceResolution.Static,
        ServiceProtocol.Http,
        LoadBalancerAlgorithm.PeakEwma,
        null,
        endpoints.Select(e => e.Definition).ToArray());

    private EndpointPicker Create(MeshEndpoint[] endpoints) =>
        EndpointPickerFactory.OrderedFor(_time).Create(Definition(endpoints), endpoints);

    /// <summary>Sends <paramref name="requests"/> one after another, 1 ms apart; each takes its endpoint's latency. Returns each endpoint's share.</summary>
    private double[] Run(EndpointPicker picker, int requests, Func<int, TimeSpan> latency)
    {
        var counts = new int[picker.Endpoints.Length];
        for (var i = 0; i < requests; i++)
        {
            var pick = picker.Pick(default);
            var index = Array.IndexOf(picker.Endpoints, pick.Endpoint);
            counts[index]++;
            var start = _time.GetTimestamp();
            var end = start + (long)(latency(index).TotalSeconds * _time.TimestampFrequency);
            pick.Tracker!.OnStarted();
            pick.Tracker.OnEnded(AttemptOutcome.Response(200, start, end));
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        return Array.ConvertAll(counts, c => c / (double)requests);
    }

    private static TimeSpan SlowFirst(int index) => TimeSpan.FromMilliseconds(index == 0 ? 200 : 2);

    [Fact]
    public void Pick_OneSlowEndpoint_GetsLittleTraffic()
    {
        var picker = Create(Endpoints(1, 1, 1, 1));

        var shares = Run(picker, 5_000, SlowFirst);

        // Round robin would send it 25 %; least request, at this concurrency (1), about as much.
        Assert.True(shares[0] < 0.03, $"slow endpoint share {shares[0]:P1}");
    }

    [Fact]
    public void Pick_SlowEndpointRecovers_TrafficComesBack()
    {
        var picker = Create(Endpoints(1, 1, 1, 1));
        Run(picker, 5_000, SlowFirst);

        // Its 200 ms estimate falls below the fast ones' 2 ms after τ·ln(100) ≈ 46 s without a sample;
        // then it is probed, answers fast, and stays in rotation.
        _time.Advance(TimeSpan.FromSeconds(60));
        var shares = Run(picker, 5_000, static _ => TimeSpan.FromMilliseconds(2));

        Assert.InRange(shares[0], 0.15, 0.35);
    }

    [Fact]
    public void Pick_InFlightMultipliesTheCost()
    {
        var endpoints = Endpoints(1, 1);
        var picker = Create(endpoints);
        Load(endpoints[0], 3); // same default RTT: cost 4 × 30 ms against 1 × 30 ms

        var shares = Shares(picker, 1_000);

        Assert.Equal(0, shares[0]); // two distinct choices: the idle one always wins
    }

    [Fact]
    public void Tracker_PeakThenDecay()
    {
        var tracker = new PeakEwmaTracker(_time, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(30));
        Assert.Equal(30, tracker.Estimate.TotalMilliseconds, precision: 3);

        var now = _time.GetTimestamp();
        tracker.OnEnded(AttemptOutcome.Response(200, now - Ticks(500), now));
        Assert.Equal(500, tracker.Estimate.TotalMilliseconds, precision: 3); // a peak replaces the estimate

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(500 / Math.E, tracker.Estimate.TotalMilliseconds, precision: 3); // decays with τ = 10 s when idle

        now = _time.GetTimestamp();
        tracker.OnEnded(AttemptOutcome.Response(200, now - Ticks(10), now));
        Assert.Equal((500 / Math.E) + (10 * (1 - (1 / Math.E))), tracker.Estimate.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void Tracker_LocalFailureCountsAsPenaltyAndCancellationIsIgnored()
    {
        var tracker = new PeakEwmaTracker(_time, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(30));
        var now = _time.GetTimestamp();

        tracker.OnEnded(AttemptOutcome.Cancelled(now - Ticks(5000), now));
        Assert.Equal(30, tracker.Estimate.TotalMilliseconds, precision: 3);

        tracker.OnEnded(AttemptOutcome.LocalFailure(MeshResponseFlags.UpstreamConnectionFailure, now - Ticks(1), now));
        Assert.Equal(1000, tracker.Estimate.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void Create_Rebuild_KeepsEachEndpointsEstimate()
    {
        var endpoints = Endpoints(1, 1, 1);
        Create(endpoints);
        var trackers = endpoints.Select(e => e.LatencyTracker).ToArray();

        var second = Create(endpoints[..2]); // an ejection or a reload rebuilds the picker
        var pick = second.Pick(default);

        Assert.All(trackers, Assert.NotNull);
        Assert.Equal(trackers, endpoints.Select(e => e.LatencyTracker));
        Assert.Same(pick.Endpoint!.LatencyTracker, pick.Tracker);
    }

    private long Ticks(double milliseconds) => (long)(milliseconds / 1000 * _time.TimestampFrequency);
}
