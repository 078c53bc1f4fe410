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

    /// <param name="endpoints">The endpoints.</param>
    /// <param name="trackers">The endpoints' trackers, index for index.</param>
    /// <param name="random">The random source.</param>
    public PeakEwmaPicker(MeshEndpoint[] endpoints, PeakEwmaTracker[] trackers, Random random)
        : base(endpoints)
    {
        _trackers = trackers;
        _random = random;
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

        var chosen = IsCheaper(b, a) ? b : a;
        return PickResult.For(endpoints[chosen], _trackers[chosen]);
    }

    /// <summary>
    /// Whether endpoint <paramref name="x"/> costs less than <paramref name="y"/> now. Both estimates
    /// decay by the same factor from now, so only the time between their last samples matters:
    /// <c>ex·e^(−(now−sx)/τ)·(nx+1) &lt; ey·e^(−(now−sy)/τ)·(ny+1)</c> ⇔
    /// <c>ex·(nx+1)·e^((sx−sy)/τ) &lt; ey·(ny+1)</c> — one exponential and no clock read per pick
    /// (clamped so that a zero estimate never meets an infinite factor).
    /// </summary>
    private bool IsCheaper(int x, int y)
    {
        var tx = _trackers[x];
        var ty = _trackers[y];
        var costX = tx.RawEstimate * (Endpoints[x].InFlight + 1);
        var costY = ty.RawEstimate * (Endpoints[y].InFlight + 1);
        var gap = tx.Stamp - ty.Stamp;
        return gap == 0 ? costX < costY : costX * Math.Exp(Math.Clamp(gap / tx.DecayTicks, -700, 700)) < costY;
    }
}
