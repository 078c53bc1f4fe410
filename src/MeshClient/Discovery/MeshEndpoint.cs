using MeshClient.Connections;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Discovery;

/// <summary>
/// A live endpoint of a cluster: its definition, its connection pool, its availability and the
/// counters that outlive handler rotation and every rebuild that keeps the endpoint (matched by
/// address and port, so a weight or label change keeps all of it).
/// </summary>
/// <remarks>
/// <para>
/// Lifetime: an attempt <see cref="TryStart"/>s the endpoint (acquiring its current pool) and
/// <see cref="OnEnd"/>s it with the outcome. The cluster's single writer may
/// <see cref="ReplacePool"/> (the wire settings changed) or <see cref="Retire"/> it (it left the
/// set); either way attempts in flight finish on the pool they acquired, which closes after them.
/// </para>
/// <para>
/// Sharing: the endpoints of one service's clusters (its default cluster and its subsets) at the same
/// address and port share their pool when their wire settings are equal, and always their
/// <see cref="InFlight"/> load (<see cref="SharedEndpointPools"/>); the endpoint lets them go when
/// it is retired or its pool replaced, and a shared pool closes after its last owner let it go. The
/// rest is this cluster's own, as Envoy keeps it per cluster: health, statistics, circuit breakers,
/// the latency estimate and slow start.
/// </para>
/// </remarks>
internal sealed class MeshEndpoint
{
    private readonly EndpointLoad _load;
    private volatile EndpointDefinition _definition;
    private volatile EndpointPool _pool;
    private volatile PeakEwmaTracker? _latency;
    private long _requests;
    private long _successes;
    private long _failures;
    private int _inFlight;
    private int _retired;
    private int _unavailable;
    private long _joined;

    public MeshEndpoint(EndpointDefinition definition, HttpMessageInvoker connections)
        : this(definition, new EndpointPool(connections))
    {
    }

    public MeshEndpoint(EndpointDefinition definition, EndpointPool pool, EndpointLoad? load = null)
    {
        _definition = definition;
        _pool = pool;
        _load = load ?? new EndpointLoad();
    }

    public EndpointDefinition Definition => _definition;

    /// <summary>
    /// When the endpoint joined its cluster, or last passed active health checks after failing them, in
    /// ticks of the cluster's <see cref="TimeProvider"/>: slow start counts from it (Envoy counts from the
    /// later of the host's creation and its last active health-check pass).
    /// </summary>
    public long JoinedTimestamp
    {
        get => Interlocked.Read(ref _joined);
        init => _joined = value;
    }

    /// <summary>The outlier-detection state (counters, ejection), kept as long as the endpoint.</summary>
    public EndpointHealth Health { get; } = new();

    /// <summary>The active-health state (status, consecutive results, check counters), kept as long as the endpoint.</summary>
    internal EndpointActiveHealth ActiveHealth { get; } = new();

    public EndpointKey Key => _definition.Key;

    public string Authority => _definition.Authority;

    public int Weight => _definition.Weight;

    public long Requests => Interlocked.Read(ref _requests);

    public long Successes => Interlocked.Read(ref _successes);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// Attempts on this endpoint that have started and not ended, in every cluster that shares the
    /// endpoint (the least-request load: the endpoint is as busy whichever cluster sent them).
    /// </summary>
    public int InFlight => _load.InFlight;

    /// <summary>This cluster's attempts on the endpoint that have started and not ended (its statistics).</summary>
    public int ClusterInFlight => Volatile.Read(ref _inFlight);

    /// <summary>The load counter, shared with the same endpoint of the service's other clusters (tests).</summary>
    internal EndpointLoad Load => _load;

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>
    /// The endpoint's latency estimate for peak EWMA, kept here so that it survives picker rebuilds;
    /// created (or replaced, when the settings change) by the picker factory under the cluster's writer.
    /// </summary>
    internal PeakEwmaTracker? LatencyTracker
    {
        get => _latency;
        set => _latency = value;
    }

    /// <summary>Why the endpoint is out of the load balancer; <see cref="EndpointUnavailability.None"/> when it is in.</summary>
    public EndpointUnavailability Unavailability => (EndpointUnavailability)Volatile.Read(ref _unavailable);

    /// <summary>
    /// This endpoint's own circuit breakers, used when the cluster's limits are per endpoint
    /// (<see cref="Configuration.ConnectionPoolScope.Endpoint"/>); kept as long as the endpoint.
    /// </summary>
    internal ConnectionPoolAdmission Admission { get; } = new();

    /// <summary>The current pool (tests and diagnostics; attempts use the one <see cref="TryStart"/> returned).</summary>
    internal EndpointPool Pool => _pool;

    /// <summary>
    /// Starts an attempt on this endpoint and returns the pool to send it on; <see langword="null"/>
    /// when the endpoint was retired (the caller picks again from the state that replaced it).
    /// </summary>
    public EndpointPool? TryStart()
    {
        if (AcquirePool() is not { } pool)
        {
            return null;
        }

        Interlocked.Increment(ref _inFlight);
        _load.Increment();
        Interlocked.Increment(ref _requests);
        return pool;
    }

    /// <summary>
    /// The endpoint's current pool, held (hand it back with <see cref="EndpointPool.Release"/>) without counting
    /// an attempt — what active health checks send on; <see langword="null"/> when the endpoint was retired.
    /// </summary>
    internal EndpointPool? AcquirePool()
    {
        var pool = _pool;
        while (!pool.TryAcquire())
        {
            // Retired: the endpoint left the cluster, or a new pool replaced this one (published first).
            var next = _pool;
            if (IsRetired || ReferenceEquals(next, pool))
            {
                return null;
            }

            pool = next;
        }

        if (IsRetired)
        {
            // The endpoint left its cluster, but its pool stays open for another cluster's endpoint that shares it.
            pool.Release();
            return null;
        }

        return pool;
    }

    /// <summary>
    /// Ends an attempt that <see cref="TryStart"/> started on <paramref name="pool"/>: counts it (a
    /// cancellation or the caller's own error is neither a success nor a failure) and releases the pool.
    /// </summary>
    public void OnEnd(EndpointPool pool, in AttemptOutcome outcome)
    {
        if (outcome.IsSuccess)
        {
            Interlocked.Increment(ref _successes);
        }
        else if (outcome.IsFailure)
        {
            Interlocked.Increment(ref _failures);
        }

        Interlocked.Decrement(ref _inFlight);
        _load.Decrement();
        pool.Release();
    }

    /// <summary>Sets or clears one reason to keep the endpoint out of the load balancer; returns whether it changed.</summary>
    public bool SetUnavailable(EndpointUnavailability reason, bool unavailable)
    {
        while (true)
        {
            var current = Volatile.Read(ref _unavailable);
            var next = unavailable ? current | (int)reason : current & ~(int)reason;
            if (next == current)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _unavailable, next, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Active health checks brought the endpoint back: slow start begins again (before the cluster rebuilds its picker).</summary>
    internal void RestartSlowStart(long timestamp) => Interlocked.Exchange(ref _joined, timestamp);

    /// <summary>The cluster's writer: the endpoint stays, with a changed weight or locality.</summary>
    internal void Update(EndpointDefinition definition) => _definition = definition;

    /// <summary>
    /// The cluster's writer: new wire settings (or renewed TLS material); the endpoint lets the old pool
    /// go, which closes after its attempts (and, when shared, once no other cluster's endpoint owns it).
    /// </summary>
    internal void ReplacePool(EndpointPool pool)
    {
        var old = Interlocked.Exchange(ref _pool, pool); // published first: TryStart finds it when the old one is retired
        if (!ReferenceEquals(old, pool))
        {
            old.Disown();
        }
    }

    /// <summary>
    /// Takes the endpoint out of service and lets its pool and load counter go; its connections close when
    /// its last attempt ends (a pool shared with another cluster's endpoint stays open for that one).
    /// </summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) != 0)
        {
            return;
        }

        _pool.Disown();
        _load.Release();
    }
}
