namespace MeshClient.Resilience;

/// <summary>
/// Envoy's <c>JitteredExponentialBackOffStrategy</c> (ISTIO-SEMANTICS.md §2.3): the interval starts at
/// the base, doubles after each use and becomes the maximum once it reaches half of it; the wait is
/// uniform in [0, interval). With the defaults: [0,25), [0,50), [0,100), [0,200), then [0,250) ms.
/// </summary>
internal static class EnvoyBackoff
{
    /// <summary>The interval of retry <paramref name="retry"/> (0 for the first retry).</summary>
    public static TimeSpan Interval(int retry, TimeSpan baseInterval, TimeSpan maxInterval)
    {
        var interval = baseInterval;
        for (var i = 0; i < retry && interval < maxInterval; i++)
        {
            interval = interval >= maxInterval / 2 ? maxInterval : interval * 2;
        }

        return interval < maxInterval ? interval : maxInterval;
    }

    /// <summary>The wait before retry <paramref name="retry"/> for a uniform <paramref name="random"/> in [0, 1), in whole milliseconds as Envoy's.</summary>
    public static TimeSpan Delay(int retry, TimeSpan baseInterval, TimeSpan maxInterval, double random)
    {
        var interval = (long)Interval(retry, baseInterval, maxInterval).TotalMilliseconds;
        return interval <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min((long)(random * interval), interval - 1));
    }
}
