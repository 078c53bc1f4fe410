using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Peak EWMA (MeshClient's <c>PEAK_EWMA</c>; Linkerd's default balancer, Finagle's <c>p2cPeakEwma</c>):
/// the power of two <b>distinct</b> random choices on cost = latency estimate × (requests in flight + 1),
/// the lower cost wins (ties go to the first). Unlike least request it sees a slow endpoint even
/// at low concurrency (ALGORITHMS.md §5). Each endpoint's estimate is its
/// <see cref="PeakEwmaTracker"/>, which every pick hands to the attempt to learn its latency.
/// </summary>
internal sealed class PeakEwmaPicker : EndpointPicker
{
    private readonly Random _random;
    private readonly PeakEwmaTracker[] _trackers;
    private readonly TimeProvider _timeProvider;

    /// <param name="endpoints">The endpoints.</param>
    /// <param name="trackers">The endpoints' trackers, index for index.</param>
    /// <param name="random">The random source.</param>
    /// <param name="timeProvider">The clock of the trackers.</param>
    public PeakEwmaPicker(MeshEndpoint[] endpoints, PeakEwmaTracker[] trackers, Random random, TimeProvider timeProvider)
        : base(endpoints)
    {
        _trackers = trackers;
        _random = random;
        _timeProvider = timeProvider;
    }

    public override PickResult Pick(in PickContext context)
    {
        var endpoints = Endpoints;
        if (endpoints.Length <= 1)
        {
            return endpoints.Length == 0 ? PickResult.None : PickResult.For(endpoints[0], _trackers[0]);
        }

        // Two distinct indices: the second is drawn from the others.
        var a = _random.Next(endpoints.Length);
        var b = _random.Next(endpoints.Length - 1);
        if (b >= a)
        {
            b++;
        }

        var now = _timeProvider.GetTimestamp();
        var chosen = Cost(b, now) < Cost(a, now) ? b : a;
        return PickResult.For(endpoints[chosen], _trackers[chosen]);
    }

    private double Cost(int index, long now) => _trackers[index].EstimateAt(now) * (Endpoints[index].InFlight + 1);
}
