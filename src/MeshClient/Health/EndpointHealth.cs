namespace MeshClient.Health;

/// <summary>
/// The outlier-detection state of one endpoint (Envoy's <c>DetectorHostMonitorImpl</c>): the
/// consecutive-failure counters, bumped on the request path with <see cref="Interlocked"/>, and the
/// ejection state, changed only by the cluster's detector under its lock. It lives on the
/// <see cref="Discovery.MeshEndpoint"/>, so it survives handler rotation, detector replacement and
/// every reload that keeps the endpoint, and is dropped with it.
/// </summary>
internal sealed class EndpointHealth
{
    private int _consecutive5xx;
    private int _consecutiveGateway;
    private int _consecutiveLocalOrigin;
    private volatile bool _ejected;
    private int _ejectTimeBackoff;
    private long _ejections;
    private long _lastEjectionTimestamp;
    private long _ejectionDurationTicks;
    private int _ejectionReason;
    private long _intervalRequests;
    private long _intervalSuccesses;

    /// <summary>Whether outlier detection has the endpoint out of the load balancer.</summary>
    public bool IsEjected => _ejected;

    /// <summary>The ejection multiplier: grows with each ejection, decays by one per healthy interval.</summary>
    public int EjectTimeBackoff => Volatile.Read(ref _ejectTimeBackoff);

    /// <summary>How many times the endpoint was ejected in all.</summary>
    public long Ejections => Interlocked.Read(ref _ejections);

    /// <summary>When it was last ejected, in ticks of the cluster's <see cref="TimeProvider"/>.</summary>
    public long LastEjectionTimestamp => Interlocked.Read(ref _lastEjectionTimestamp);

    /// <summary>How long the last ejection was meant to last, as computed when it happened (the endpoint returns at the first sweep after).</summary>
    public TimeSpan LastEjectionDuration => TimeSpan.FromTicks(Interlocked.Read(ref _ejectionDurationTicks));

    /// <summary>Why the endpoint was last ejected.</summary>
    public OutlierEjectionReason LastEjectionReason => (OutlierEjectionReason)Volatile.Read(ref _ejectionReason);

    public int Consecutive5xx => Volatile.Read(ref _consecutive5xx);

    public int ConsecutiveGateway => Volatile.Read(ref _consecutiveGateway);

    public int ConsecutiveLocalOrigin => Volatile.Read(ref _consecutiveLocalOrigin);

    /// <summary>An error response (or a local failure outside split mode): returns the new 5xx count, and the gateway count in <paramref name="gatewayCount"/>.</summary>
    public int OnError(bool gateway, out int gatewayCount)
    {
        if (gateway)
        {
            gatewayCount = Interlocked.Increment(ref _consecutiveGateway);
        }
        else
        {
            gatewayCount = 0;
            Reset(ref _consecutiveGateway);
        }

        return Interlocked.Increment(ref _consecutive5xx);
    }

    /// <summary>A success: both response counters restart.</summary>
    public void OnSuccess()
    {
        Reset(ref _consecutive5xx);
        Reset(ref _consecutiveGateway);
    }

    /// <summary>A local-origin failure in split mode: returns the new count.</summary>
    public int OnLocalOriginFailure() => Interlocked.Increment(ref _consecutiveLocalOrigin);

    /// <summary>The upstream answered (split mode): the local-origin counter restarts.</summary>
    public void OnLocalOriginSuccess() => Reset(ref _consecutiveLocalOrigin);

    public void Reset5xx() => Interlocked.Exchange(ref _consecutive5xx, 0);

    public void ResetGateway() => Interlocked.Exchange(ref _consecutiveGateway, 0);

    public void ResetLocalOrigin() => Interlocked.Exchange(ref _consecutiveLocalOrigin, 0);

    /// <summary>
    /// The detector ejects the endpoint (Envoy's <c>ejectHost</c>): the multiplier grows while
    /// <c>backoff × base &lt; max + base</c>. Returns the ejection time. Under the detector's lock.
    /// </summary>
    public TimeSpan Eject(long now, OutlierDetectionSettings settings, OutlierEjectionReason reason)
    {
        var backoff = _ejectTimeBackoff;
        if (settings.BaseEjectionTime.Ticks * (long)backoff < settings.MaxEjectionTime.Ticks + settings.BaseEjectionTime.Ticks)
        {
            Volatile.Write(ref _ejectTimeBackoff, backoff + 1);
        }

        Interlocked.Increment(ref _ejections);
        Interlocked.Exchange(ref _lastEjectionTimestamp, now);
        var duration = settings.EjectionTime(_ejectTimeBackoff);
        Interlocked.Exchange(ref _ejectionDurationTicks, duration.Ticks);
        Volatile.Write(ref _ejectionReason, (int)reason);
        _ejected = true;
        return duration;
    }

    /// <summary>The detector lets the endpoint back in; the consecutive counters restart (Envoy's <c>checkHostForUneject</c>). Under the detector's lock.</summary>
    public void Uneject()
    {
        _ejected = false;
        Reset5xx();
        ResetGateway();
        ResetLocalOrigin();
    }

    /// <summary>A sweep found the endpoint in service: the multiplier decays one step (floor 0). Under the detector's lock.</summary>
    public void Decay()
    {
        if (_ejectTimeBackoff > 0)
        {
            Volatile.Write(ref _ejectTimeBackoff, _ejectTimeBackoff - 1);
        }
    }

    /// <summary>
    /// A request's result for the statistical rules (Envoy's external-origin success-rate monitor):
    /// counted in the current interval's bucket.
    /// </summary>
    public void CountRequest(bool success)
    {
        Interlocked.Increment(ref _intervalRequests);
        if (success)
        {
            Interlocked.Increment(ref _intervalSuccesses);
        }
    }

    /// <summary>
    /// The sweep closes the interval: returns its requests and successes and starts a new one. Under
    /// the detector's lock. (Successes are taken first, so a request counted in between can only make
    /// the closed interval look worse by one, never better.)
    /// </summary>
    public (long Requests, long Successes) CloseInterval()
    {
        var successes = Interlocked.Exchange(ref _intervalSuccesses, 0);
        var requests = Interlocked.Exchange(ref _intervalRequests, 0);
        return (requests, Math.Min(successes, requests));
    }

    // Skips the write (and the cache-line traffic) when the counter is already 0, the usual case.
    private static void Reset(ref int counter)
    {
        if (Volatile.Read(ref counter) != 0)
        {
            Volatile.Write(ref counter, 0);
        }
    }
}
