using MeshClient.Discovery;
using Microsoft.Extensions.Logging;

namespace MeshClient.Health;

/// <summary>
/// Envoy's outlier detection for one cluster (ISTIO-SEMANTICS.md §3.4): consecutive-failure
/// counters per endpoint on the request path, ejection when one reaches its threshold (within
/// <c>maxEjectionPercent</c>), and a sweep every <c>interval</c> that lets endpoints back in when
/// their ejection time is up and decays the ejection multiplier of the healthy ones.
/// </summary>
/// <remarks>
/// <para>
/// The counters and the ejection state live on each endpoint (<see cref="EndpointHealth"/>), so a
/// replacement detector (changed settings) carries on where this one stopped. Ejecting and letting
/// back in go through <see cref="ClusterPolicyContext.SetUnavailable"/>, which rebuilds the picker.
/// </para>
/// <para>
/// Locks: ejection decisions and the sweep are serialized by this detector's gate, taken before the
/// cluster's write gate (never the other way round: the factory, which runs under the write gate,
/// never takes this gate). <see cref="OnAttemptEnded"/> takes the gate only when a threshold is reached.
/// </para>
/// </remarks>
internal sealed partial class OutlierDetector : IClusterPolicy
{
    private readonly ClusterPolicyContext _context;
    private readonly object _gate = new();
    private readonly ITimer _timer;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private bool _disposed;
    private long _ejectionsOverflow;

    public OutlierDetector(ClusterPolicyContext context, OutlierDetectionSettings settings, Func<double>? random = null)
    {
        _random = random ?? Random.Shared.NextDouble;
        _context = context;
        _logger = context.Logger;
        Settings = settings;
        _timer = context.CreateTimer(static state => ((OutlierDetector)state!).OnTimer(), this, settings.Interval, settings.Interval);
    }

    public OutlierDetectionSettings Settings { get; }

    /// <summary>Ejections refused by <c>maxEjectionPercent</c> (Envoy's <c>ejections_overflow</c>).</summary>
    public long EjectionsOverflow => Interlocked.Read(ref _ejectionsOverflow);

    public void OnAttemptEnded(MeshEndpoint endpoint, in AttemptOutcome outcome)
    {
        var health = endpoint.Health;
        var settings = Settings;
        int code;
        if (outcome.Kind == AttemptOutcomeKind.LocalFailure)
        {
            if (settings.SplitExternalLocalOriginErrors)
            {
                if (health.OnLocalOriginFailure() == settings.ConsecutiveLocalOriginFailures && settings.ConsecutiveLocalOriginFailures > 0)
                {
                    TryEject(endpoint, OutlierEjectionReason.ConsecutiveLocalOriginFailure);
                }

                return;
            }

            // Envoy's resultToHttpCode: a timeout is a 504, a connect failure or reset a 503.
            code = (outcome.Flags & MeshResponseFlags.UpstreamRequestTimeout) != 0 ? 504 : 503;
        }
        else if (outcome.Kind == AttemptOutcomeKind.Response)
        {
            if (settings.SplitExternalLocalOriginErrors)
            {
                health.OnLocalOriginSuccess();
            }

            code = outcome.StatusCode;
            if (settings.ErrorCodes is { } codes)
            {
                // outlierDetectionHttpErrorCodes: a matching code counts as a 5xx, any other as a 200.
                code = (uint)code < (uint)codes.Length && codes[code] ? (code >= 500 ? code : 500) : 200;
            }
        }
        else
        {
            return; // cancelled, or the caller's own error: neither success nor failure
        }

        if (settings.CountsRequests)
        {
            health.CountRequest(code < 500);
        }

        if (code < 500)
        {
            health.OnSuccess();
            return;
        }

        var consecutive5xx = health.OnError(code is 502 or 503 or 504, out var consecutiveGateway);
        if (settings.ConsecutiveGatewayErrors > 0 && consecutiveGateway == settings.ConsecutiveGatewayErrors)
        {
            TryEject(endpoint, OutlierEjectionReason.ConsecutiveGatewayFailure);
        }

        if (settings.Consecutive5xxErrors > 0 && consecutive5xx == settings.Consecutive5xxErrors)
        {
            TryEject(endpoint, OutlierEjectionReason.Consecutive5xx);
        }
    }

    /// <summary>
    /// Envoy's <c>ejectHost</c> after a threshold: the counter restarts whatever happens (so that the
    /// next run of failures is seen), then the endpoint is ejected if it still belongs to the cluster,
    /// is not ejected already, and <c>maxEjectionPercent</c> (or <c>AlwaysEjectOneHost</c>) allows it.
    /// </summary>
    private void TryEject(MeshEndpoint endpoint, OutlierEjectionReason reason)
    {
        var health = endpoint.Health;
        switch (reason)
        {
            case OutlierEjectionReason.Consecutive5xx:
                health.Reset5xx();
                break;
            case OutlierEjectionReason.ConsecutiveGatewayFailure:
                health.ResetGateway();
                break;
            case OutlierEjectionReason.ConsecutiveLocalOriginFailure:
                health.ResetLocalOrigin();
                break;
        }

        lock (_gate)
        {
            var endpoints = _context.Endpoints;
            if (_disposed || health.IsEjected || Array.IndexOf(endpoints, endpoint) < 0)
            {
                return;
            }

            var ejected = 0;
            foreach (var other in endpoints)
            {
                if (other.Health.IsEjected)
                {
                    ejected++;
                }
            }

            if (!MayEject(ejected, endpoints.Length, Settings))
            {
                Interlocked.Increment(ref _ejectionsOverflow);
                LogEjectionOverflow(_logger, endpoint.Authority, _context.ClusterName, reason, Settings.MaxEjectionPercent, ejected, endpoints.Length);
                return;
            }

            var duration = health.Eject(_context.TimeProvider.GetTimestamp(), Settings, reason);
            _context.SetUnavailable(endpoint, EndpointUnavailability.Ejected, true);
            LogEjected(_logger, endpoint.Authority, _context.ClusterName, reason, duration, health.Ejections);
        }
    }

    /// <summary>
    /// Current Envoy (PRs #27624/#27909): eject only while <c>100 × (ejected + 1) / N ≤ max</c>; with
    /// <c>always_eject_one_host</c>, the first ejection is always allowed.
    /// </summary>
    internal static bool MayEject(int ejected, int endpoints, OutlierDetectionSettings settings) =>
        100L * (ejected + 1) <= (long)settings.MaxEjectionPercent * endpoints
        || (settings.AlwaysEjectOneHost && ejected == 0);

    /// <summary>Envoy's <c>onIntervalTimer</c> / <c>checkHostForUneject</c>: un-eject when the time is up, decay the healthy ones' multiplier.</summary>
    internal void Sweep()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _context.TimeProvider.GetTimestamp();
            foreach (var endpoint in _context.Endpoints)
            {
                var health = endpoint.Health;
                if (!health.IsEjected)
                {
                    health.Decay();
                    continue;
                }

                var ejectedFor = _context.TimeProvider.GetElapsedTime(health.LastEjectionTimestamp, now);
                if (ejectedFor >= Settings.EjectionTime(health.EjectTimeBackoff))
                {
                    health.Uneject();
                    _context.SetUnavailable(endpoint, EndpointUnavailability.Ejected, false);
                    LogRestored(_logger, endpoint.Authority, _context.ClusterName, ejectedFor);
                }
            }

            if (Settings.CountsRequests)
            {
                EjectStatisticalOutliers(Settings);
            }
        }
    }

    /// <summary>
    /// A passing active health check on an endpoint that active health considers healthy lets it back in
    /// at once and clears its counters — Envoy's <c>successful_active_health_check_uneject_host</c>, on by
    /// default. The ejection multiplier stays (it decays at the sweeps, as after any un-ejection).
    /// </summary>
    internal void UnejectAfterActiveCheck(MeshEndpoint endpoint)
    {
        lock (_gate)
        {
            var health = endpoint.Health;
            if (_disposed || !health.IsEjected)
            {
                return;
            }

            var ejectedFor = _context.TimeProvider.GetElapsedTime(health.LastEjectionTimestamp);
            health.Uneject();
            _context.SetUnavailable(endpoint, EndpointUnavailability.Ejected, false);
            LogRestoredByActiveCheck(_logger, endpoint.Authority, _context.ClusterName, ejectedFor);
        }
    }

    /// <summary>
    /// Envoy's <c>processSuccessRateEjections</c> for the interval that just closed: the success rate of
    /// every endpoint with enough volume; with enough such endpoints, success-rate ejection (below
    /// <c>mean − stdev × factor / 1000</c>) and failure-percentage ejection (failures ≥ threshold), each
    /// within <c>maxEjectionPercent</c> and rolled against its enforcement percentage.
    /// </summary>
    private void EjectStatisticalOutliers(OutlierDetectionSettings settings)
    {
        var endpoints = _context.Endpoints;
        var rates = new double[endpoints.Length]; // success rate in percent; NaN: not enough volume
        var volumes = new long[endpoints.Length];
        var successRateHosts = 0;
        var failurePercentageHosts = 0;
        var sum = 0.0;
        var minimumVolume = Math.Min(settings.SuccessRate?.RequestVolume ?? int.MaxValue, settings.FailurePercentage?.RequestVolume ?? int.MaxValue);
        for (var i = 0; i < endpoints.Length; i++)
        {
            var (requests, successes) = endpoints[i].Health.CloseInterval();
            rates[i] = double.NaN;
            volumes[i] = 0;
            if (requests < minimumVolume || requests == 0)
            {
                continue;
            }

            rates[i] = 100.0 * successes / requests;
            if (settings.SuccessRate is { } sr && requests >= sr.RequestVolume)
            {
                successRateHosts++;
                sum += rates[i];
            }

            if (settings.FailurePercentage is { } fp && requests >= fp.RequestVolume)
            {
                failurePercentageHosts++;
            }

            volumes[i] = requests;
        }

        if (settings.SuccessRate is { } successRate && successRateHosts >= successRate.MinimumHosts && successRateHosts > 0)
        {
            var mean = sum / successRateHosts;
            var variance = 0.0;
            for (var i = 0; i < endpoints.Length; i++)
            {
                if (!double.IsNaN(rates[i]) && volumes[i] >= successRate.RequestVolume)
                {
                    variance += (rates[i] - mean) * (rates[i] - mean);
                }
            }

            var threshold = mean - (Math.Sqrt(variance / successRateHosts) * successRate.StdevFactor / 1000.0);
            for (var i = 0; i < endpoints.Length; i++)
            {
                if (!double.IsNaN(rates[i]) && volumes[i] >= successRate.RequestVolume && rates[i] < threshold && Enforced(successRate.EnforcementPercentage))
                {
                    TryEject(endpoints[i], OutlierEjectionReason.SuccessRate);
                }
            }
        }

        if (settings.FailurePercentage is { } failurePercentage && failurePercentageHosts >= failurePercentage.MinimumHosts && failurePercentageHosts > 0)
        {
            for (var i = 0; i < endpoints.Length; i++)
            {
                // Envoy compares with >= (its proto's wording; gRFC A50 says >).
                if (!double.IsNaN(rates[i]) && volumes[i] >= failurePercentage.RequestVolume && 100.0 - rates[i] >= failurePercentage.Threshold && Enforced(failurePercentage.EnforcementPercentage))
                {
                    TryEject(endpoints[i], OutlierEjectionReason.FailurePercentage);
                }
            }
        }
    }

    /// <summary>Envoy's <c>featureEnabled(enforcing_*)</c>: a <paramref name="percent"/> chance.</summary>
    private bool Enforced(int percent) => percent >= 100 || (percent > 0 && _random() * 100 < percent);

    /// <summary>Outlier detection was turned off for the cluster: every endpoint it ejected goes back in.</summary>
    internal static void RestoreAll(ClusterPolicyContext context)
    {
        foreach (var endpoint in context.Endpoints)
        {
            if (endpoint.Health.IsEjected)
            {
                endpoint.Health.Uneject();
                context.SetUnavailable(endpoint, EndpointUnavailability.Ejected, false);
            }
        }
    }

    /// <summary>
    /// Stops the sweep. Ejected endpoints stay ejected: a replacement detector takes them over (and
    /// <see cref="RestoreAll"/> runs when detection is turned off).
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private void OnTimer()
    {
        try
        {
            Sweep();
        }
#pragma warning disable CA1031 // A timer callback must not throw: that would take the process down.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogSweepFailed(_logger, _context.ClusterName, ex);
        }
    }

    [LoggerMessage(100, LogLevel.Warning, "Outlier detection ejected endpoint {Endpoint} of {Cluster} for {Duration} ({Reason}, ejection {Ejections}).")]
    private static partial void LogEjected(ILogger logger, string endpoint, string cluster, OutlierEjectionReason reason, TimeSpan duration, long ejections);

    [LoggerMessage(101, LogLevel.Information, "Outlier detection let endpoint {Endpoint} of {Cluster} back in after {Ejected}.")]
    private static partial void LogRestored(ILogger logger, string endpoint, string cluster, TimeSpan ejected);

    [LoggerMessage(102, LogLevel.Debug, "Outlier detection did not eject endpoint {Endpoint} of {Cluster} ({Reason}): maxEjectionPercent {MaxEjectionPercent} allows no more with {Ejected} of {Endpoints} endpoints ejected.")]
    private static partial void LogEjectionOverflow(ILogger logger, string endpoint, string cluster, OutlierEjectionReason reason, int maxEjectionPercent, int ejected, int endpoints);

    [LoggerMessage(104, LogLevel.Information, "Outlier detection let endpoint {Endpoint} of {Cluster} back in after {Ejected}: an active health check passed.")]
    private static partial void LogRestoredByActiveCheck(ILogger logger, string endpoint, string cluster, TimeSpan ejected);

    [LoggerMessage(103, LogLevel.Error, "Outlier detection sweep failed on {Cluster}.")]
    private static partial void LogSweepFailed(ILogger logger, string cluster, Exception exception);
}
