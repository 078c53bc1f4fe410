using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Slow start (Envoy <c>slow_start_config</c>, Istio <c>warmup</c>) around round robin or least
/// request: while an endpoint is within the window after it joined the cluster, picks are a weighted
/// random choice over the slow-start weights <c>weight × max(minimum, TimeFactor^(1/aggression))</c>
/// (for least request divided by <c>(in flight + 1)^bias</c>, Envoy's weighted least-request formula);
/// once every endpoint is past its window, the wrapped picker decides alone.
/// </summary>
/// <remarks>
/// Envoy recomputes its EDF scheduler's weights as time passes; a weighted random draw gives the same
/// shares without a schedule to rebuild. A pick reads the clock once; it takes no lock and allocates nothing.
/// </remarks>
internal sealed class SlowStartPicker : EndpointPicker
{
    private readonly EndpointPicker _inner;
    private readonly SlowStartSettings _settings;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly double _bias;
    private readonly long _windowTicks;
    private readonly long _warmAfter;

    public SlowStartPicker(MeshEndpoint[] endpoints, EndpointPicker inner, SlowStartSettings settings, TimeProvider time, Random random, double activeRequestBias)
        : base(endpoints)
    {
        _inner = inner;
        _settings = settings;
        _time = time;
        _random = random;
        _bias = activeRequestBias;
        _windowTicks = (long)(settings.Window.TotalSeconds * time.TimestampFrequency);
        var latest = long.MinValue;
        foreach (var endpoint in endpoints)
        {
            latest = Math.Max(latest, endpoint.JoinedTimestamp);
        }

        _warmAfter = endpoints.Length == 0 ? long.MinValue : latest + _windowTicks;
    }

    /// <summary>The wrapped policy, which decides alone once no endpoint is warming up.</summary>
    public EndpointPicker Inner => _inner;

    public override PickResult Pick(in PickContext context)
    {
        var endpoints = Endpoints;
        var now = _time.GetTimestamp();
        if (now >= _warmAfter || endpoints.Length < 2)
        {
            return _inner.Pick(in context);
        }

        var total = 0.0;
        foreach (var endpoint in endpoints)
        {
            total += EffectiveWeight(endpoint, now);
        }

        var draw = _random.NextDouble() * total;
        foreach (var endpoint in endpoints)
        {
            draw -= EffectiveWeight(endpoint, now);
            if (draw < 0)
            {
                return PickResult.For(endpoint);
            }
        }

        return PickResult.For(endpoints[^1]); // rounding
    }

    /// <summary>The endpoint's weight now: its slow-start share, and for least request its load.</summary>
    internal double EffectiveWeight(MeshEndpoint endpoint, long now)
    {
        var weight = Math.Max(1, endpoint.Weight) * Factor(now - endpoint.JoinedTimestamp);
        return _bias == 0 ? weight : weight / Math.Pow(endpoint.InFlight + 1, _bias);
    }

    /// <summary>Envoy's time factor: <c>max(minimum, (max(seconds, 1) / window)^(1 / aggression))</c>, 1 past the window.</summary>
    internal double Factor(long elapsedTicks)
    {
        if (elapsedTicks >= _windowTicks)
        {
            return 1.0;
        }

        var seconds = Math.Max((double)elapsedTicks / _time.TimestampFrequency, 1.0);
        var timeFactor = Math.Pow(seconds / _settings.Window.TotalSeconds, 1.0 / _settings.Aggression);
        return Math.Min(1.0, Math.Max(_settings.MinimumPercent / 100.0, timeFactor));
    }
}
