namespace MeshClient.Health;

/// <summary>What active health checks know of an endpoint.</summary>
internal enum ActiveHealthStatus
{
    /// <summary>Not checked yet (a new endpoint).</summary>
    Unknown,

    Healthy,

    Unhealthy,
}

/// <summary>A check's effect on the endpoint's status.</summary>
internal enum ActiveHealthTransition
{
    None,
    BecameHealthy,
    BecameUnhealthy,
}

/// <summary>
/// The active-health state of one endpoint (Envoy's per-host health-check session counters): its
/// status, the consecutive passes and failures, and its own counters (checks are never counted as
/// requests). It lives on the <see cref="Discovery.MeshEndpoint"/>, so it survives a replaced checker
/// (changed settings) and every reload that keeps the endpoint, and is dropped with it.
/// </summary>
internal sealed class EndpointActiveHealth
{
    private readonly object _gate = new();
    private ActiveHealthStatus _status;
    private int _consecutivePasses;
    private int _consecutiveFailures;
    private long _checks;
    private long _failedChecks;

    public ActiveHealthStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Checks completed on the endpoint (passed or failed).</summary>
    public long Checks => Interlocked.Read(ref _checks);

    /// <summary>Checks that failed.</summary>
    public long FailedChecks => Interlocked.Read(ref _failedChecks);

    /// <summary>
    /// Records one check's result and returns whether it flipped the status: <paramref name="unhealthyThreshold"/>
    /// consecutive failures make a healthy (or unknown) endpoint unhealthy; <paramref name="healthyThreshold"/>
    /// consecutive passes make an unhealthy one healthy; an unknown one needs a single pass (Envoy: "during
    /// startup, only a single successful health check is required to mark a host healthy").
    /// </summary>
    public ActiveHealthTransition Record(bool passed, int unhealthyThreshold, int healthyThreshold)
    {
        Interlocked.Increment(ref _checks);
        if (!passed)
        {
            Interlocked.Increment(ref _failedChecks);
        }

        lock (_gate)
        {
            if (passed)
            {
                _consecutiveFailures = 0;
                _consecutivePasses++;
                if (_status == ActiveHealthStatus.Unknown || (_status == ActiveHealthStatus.Unhealthy && _consecutivePasses >= healthyThreshold))
                {
                    _status = ActiveHealthStatus.Healthy;
                    return ActiveHealthTransition.BecameHealthy;
                }

                return ActiveHealthTransition.None;
            }

            _consecutivePasses = 0;
            _consecutiveFailures++;
            if (_status != ActiveHealthStatus.Unhealthy && _consecutiveFailures >= unhealthyThreshold)
            {
                _status = ActiveHealthStatus.Unhealthy;
                return ActiveHealthTransition.BecameUnhealthy;
            }

            return ActiveHealthTransition.None;
        }
    }

    /// <summary>Active checks were turned off: back to unknown.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _status = ActiveHealthStatus.Unknown;
            _consecutivePasses = 0;
            _consecutiveFailures = 0;
        }
    }
}
