using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using Microsoft.Extensions.Logging;

namespace MeshClient.Runtime;

/// <summary>
/// Everything mutable about one cluster, owned by the singleton <see cref="MeshRuntime"/>: its
/// endpoints (each with its connection pool, counters and availability), the picker over the
/// available ones, its policies (outlier detection, active health) and their timers.
/// </summary>
/// <remarks>
/// <para>
/// One writer: a reload (<see cref="Update"/>), a policy taking an endpoint out or back
/// (<see cref="SetUnavailable"/>) and, later, a DNS refresh all rebuild the state under one lock
/// per cluster, and publish it with one volatile write. Requests read the published state without
/// a lock. Endpoints are matched across rebuilds by address and port: one that stays keeps its
/// connections, counters and health; a change of the wire settings gives every endpoint a new pool
/// (attempts in flight finish on the old one); one that leaves is retired once the state without it
/// is published.
/// </para>
/// <para>
/// Lifetime: requests <see cref="TryAcquire"/> the cluster for each attempt. A reload that drops
/// the cluster <see cref="Retire"/>s it; it is disposed (timers stopped, policies disposed,
/// endpoints retired) when the last attempt that acquired it ends, so in-flight requests finish.
/// </para>
/// </remarks>
internal sealed class Cluster : IDisposable
{
    /// <summary>How many times a pick may be redrawn to avoid an endpoint this request already tried (Istio sets Envoy's <c>host_selection_retry_max_attempts</c> to 5).</summary>
    internal const int MaxHostSelectionAttempts = 5;

    private readonly object _writeGate = new();
    private readonly ClusterServices _services;
    private readonly ClusterConnections _connections;
    private readonly HttpMessageInvoker? _passthrough;
    private readonly List<ITimer> _timers = [];
    private readonly ClusterPolicyContext _policyContext;
    private readonly ConnectionPoolAdmission _admission = new();
    private readonly DnsDiscovery? _dns;
    private readonly DynamicDnsCache? _dynamicDns;
    private EndpointDefinition[] _resolved = [];
    private volatile ClusterState _state;
    private volatile IClusterPolicy?[] _policies = [];
    private volatile Resilience.ClusterRetryBudget _retryBudget;
    private int _active;
    private int _retired;
    private int _disposed;

    public Cluster(ClusterDefinition definition, ClusterServices? services = null)
    {
        _services = services ?? ClusterServices.Default;
        _connections = new ClusterConnections(definition, _services.HandlerFactory, _services.TimeProvider, _services.Logger, RenewPools);
        _policyContext = new ClusterPolicyContext(this);
        Name = definition.Key.ToString();
        if (definition.IsPassthrough)
        {
            _passthrough = _connections.Create(
                definition.PassthroughPort is { } port ? UpstreamTarget.RequestedHostOnPort(port) : UpstreamTarget.Requested,
                definition.Wire);
        }
        else if (definition.Resolution == ServiceResolution.DynamicDns)
        {
            _dynamicDns = new DynamicDnsCache(_services.LookupFor(definition), _services.TimeProvider, definition.Dns ?? DnsSettings.Default);
            _passthrough = _connections.Create(UpstreamTarget.DynamicDns(_dynamicDns, definition.PassthroughPort), definition.Wire);
        }
        else if (definition.ResolvesEndpoints)
        {
            _dns = new DnsDiscovery(this, definition, _services.LookupFor(definition), _services.TimeProvider, _services.Logger);
        }

        ServiceName = definition.Key == ClusterKey.Passthrough ? null : definition.ServiceName;
        _retryBudget = new Resilience.ClusterRetryBudget(definition.RetryBudget, _services.TimeProvider);
        lock (_writeGate)
        {
            _state = Build(definition, null);
            UpdatePolicies();
        }

        _dns?.Start();
    }

    /// <summary>The cluster's retry budget: retries in flight and tokens, kept across reloads that keep its settings.</summary>
    internal Resilience.ClusterRetryBudget RetryBudget => _retryBudget;

    /// <summary>The attempts in flight on the cluster (Envoy's active requests, for the retry budget's percentage).</summary>
    internal int ActiveRequests => Volatile.Read(ref _active);

    public ClusterKey Key => _state.Definition.Key;

    /// <summary>Envoy's cluster name, computed once.</summary>
    public string Name { get; }

    /// <summary>The service name, or <see langword="null"/> for the passthrough cluster.</summary>
    public string? ServiceName { get; private set; }

    public ClusterDefinition Definition => _state.Definition;

    public TimeProvider TimeProvider => _services.TimeProvider;

    /// <summary>The runtime's logger (for the cluster's policies).</summary>
    internal ILogger Logger => _services.Logger;

    /// <summary>The runtime's metrics, spans and trace headers.</summary>
    internal Telemetry.MeshTelemetry Telemetry => _services.Telemetry;

    /// <summary>
    /// For resolution NONE (and unknown hosts): the connection pool to the requested host (on the
    /// <c>targetPort</c>, if one is set); <see langword="null"/> for clusters with endpoints.
    /// </summary>
    public HttpMessageInvoker? PassthroughConnections => _passthrough;

    /// <summary>For DNS and DNS_ROUND_ROBIN: the background resolution of the endpoints; <see langword="null"/> otherwise.</summary>
    internal DnsDiscovery? Dns => _dns;

    /// <summary>For DYNAMIC_DNS: the requested hosts' addresses; <see langword="null"/> otherwise.</summary>
    internal DynamicDnsCache? DynamicDns => _dynamicDns;

    /// <summary>Every endpoint, available or not.</summary>
    public MeshEndpoint[] Endpoints => _state.Endpoints;

    /// <summary>The endpoints the picker chooses from.</summary>
    public MeshEndpoint[] AvailableEndpoints => _state.Picker.Endpoints;

    internal EndpointPicker Picker => _state.Picker;

    /// <summary>The cluster's circuit breakers (Istio <c>connectionPool</c> limits), kept across reloads that keep the cluster.</summary>
    internal ConnectionPoolAdmission Admission => _admission;

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Picks the endpoint for an attempt and starts it: the result's endpoint and the pool it
    /// acquired, which the caller hands back to <see cref="EndAttempt"/> with the
    /// <paramref name="admission"/> ticket. An endpoint this request already tried is redrawn up to
    /// <see cref="MaxHostSelectionAttempts"/> times (Envoy's <c>previous_hosts</c> predicate).
    /// <see cref="PickResult.None"/> when there is no endpoint (Envoy <c>UH</c>). When a connection-pool
    /// limit is reached, <paramref name="admission"/> is <see cref="AdmissionTicket.IsOverflow"/>, the
    /// attempt never started (nothing to hand back) and the result names the endpoint it would have used.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed (the runtime shut down).</exception>
    public PickResult StartAttempt(in PickContext context, out EndpointPool? pool, out AdmissionTicket admission)
    {
        admission = default;
        while (true)
        {
            var state = _state;
            var pick = state.Picker.Pick(in context);
            for (var redraw = 0; redraw < MaxHostSelectionAttempts && pick.Endpoint is { } tried && context.WasTried(tried); redraw++)
            {
                pick = state.Picker.Pick(in context);
            }

            if (pick.Endpoint is not { } endpoint)
            {
                pool = null;
                return pick;
            }

            var limits = state.Definition.Limits;
            if (limits.AdmitsAttempts)
            {
                admission = (limits.Scope == ConnectionPoolScope.Endpoint ? endpoint.Admission : _admission).TryAdmit(NeedsConnection(context.Request, state.Definition.Wire));
                if (admission.IsOverflow)
                {
                    pool = null;
                    return pick; // never started: nothing to hand back
                }
            }

            pool = endpoint.TryStart();
            if (pool is not null)
            {
                pick.Tracker?.OnStarted();
                return pick;
            }

            admission.Admission?.Release(in admission);
            admission = default;

            // The endpoint was retired. A rebuild publishes its new state before it retires
            // anything, so pick again there — unless nothing replaced it: the cluster was disposed.
            if (ReferenceEquals(state, _state) && IsDisposed)
            {
                throw new ObjectDisposedException(Name, "The mesh was disposed (its service provider was disposed) while the request was being sent.");
            }
        }
    }

    /// <summary>
    /// Admits an attempt of a cluster without endpoints (resolution NONE, <see cref="PassthroughConnections"/>):
    /// the ticket to hand back to <see cref="EndAttempt"/>, or an overflow (nothing to hand back).
    /// </summary>
    public AdmissionTicket Admit(HttpRequestMessage? request)
    {
        var limits = _state.Definition.Limits;
        return limits.AdmitsAttempts ? _admission.TryAdmit(NeedsConnection(request, _state.Definition.Wire)) : default;
    }

    /// <summary>
    /// Ends an attempt <see cref="StartAttempt"/> (or <see cref="Admit"/>) started: the one path that
    /// reports every attempt's outcome — the endpoint's counters, the picker's tracker, the cluster's
    /// policies — and hands back what it held: its <paramref name="admission"/> ticket, then its pool.
    /// An attempt that ended while it waited for a connection was never sent: it ends as an overflow,
    /// whatever cut it short, and never counts against the endpoint.
    /// </summary>
    public void EndAttempt(in PickResult pick, EndpointPool? pool, in AdmissionTicket admission, in AttemptOutcome outcome)
    {
        var ended = admission.WasSent ? outcome : AttemptOutcome.Overflow(outcome.StartTimestamp, outcome.EndTimestamp);
        admission.Admission?.Release(in admission);
        if (pick.Endpoint is not { } endpoint)
        {
            return; // resolution NONE: no endpoint to report to
        }

        pick.Tracker?.OnEnded(in ended);
        if (!ended.IsCancelled && !ended.IsOverflow)
        {
            var policies = _policies;
            for (var i = 0; i < policies.Length; i++)
            {
                policies[i]?.OnAttemptEnded(endpoint, in ended);
            }
        }

        endpoint.OnEnd(pool!, in ended);
    }

    /// <summary>
    /// For the retries of the route's pipeline: takes one of the cluster's <c>maxRetries</c> slots
    /// (Istio <c>connectionPool.http.maxRetries</c>, Envoy <c>max_retries</c>: retries in flight across
    /// the whole cluster, whatever the limits' scope). <see langword="false"/> when they are all taken:
    /// do not retry, and end the request with the last attempt's outcome plus the flag <c>UO</c>
    /// (Envoy counts <c>upstream_rq_retry_overflow</c>, which <see cref="ConnectionPoolAdmission.RetryOverflows"/> mirrors).
    /// Every <see langword="true"/> must be paired with one <see cref="EndRetry"/> when that retry ends,
    /// however it ends.
    /// </summary>
    internal bool TryStartRetry() => _admission.TryStartRetry();

    /// <summary>Hands back the slot of a retry that <see cref="TryStartRetry"/> admitted.</summary>
    internal void EndRetry() => _admission.EndRetry();

    /// <summary>An HTTP/1.x request needs a connection of its own; HTTP/2 and above (and every request to an upgraded cluster) share one.</summary>
    private static bool NeedsConnection(HttpRequestMessage? request, WireSettings wire) => !wire.Http2Upgrade && (request is null || request.Version.Major < 2);

    /// <summary>Whether a changed definition can be applied to this cluster in place (same kind of wire).</summary>
    public bool CanUpdateTo(ClusterDefinition definition) =>
        definition.Key == Key
        && definition.IsPassthrough == Definition.IsPassthrough
        && definition.PassthroughPort == Definition.PassthroughPort
        && definition.Resolution == Definition.Resolution
        && (_passthrough is null || definition.Wire == Definition.Wire);

    /// <summary>
    /// Applies a changed definition (see <see cref="CanUpdateTo"/>), keeping the endpoints that stay
    /// (connections, counters, health); the others are retired once the new state is published.
    /// </summary>
    public void Update(ClusterDefinition definition)
    {
        lock (_writeGate)
        {
            if (IsDisposed)
            {
                return;
            }

            var previous = _state;
            if (!Equals(definition.RetryBudget, _retryBudget.Settings))
            {
                _retryBudget = new Resilience.ClusterRetryBudget(definition.RetryBudget, _services.TimeProvider);
            }

            if (_dns is not null)
            {
                _resolved = _dns.Update(definition) ?? _resolved;
            }

            _dynamicDns?.Update(definition.Dns ?? DnsSettings.Default);
            _state = Build(definition, previous);
            ServiceName = definition.Key == ClusterKey.Passthrough ? null : definition.ServiceName;
            UpdatePolicies();
            RetireDropped(previous.Endpoints, _state.Endpoints);
        }
    }

    /// <summary>
    /// Gives every endpoint a new pool under the current wire settings: rotated TLS certificate files
    /// were loaded. Attempts in flight finish on the old pools, whose connections then close.
    /// </summary>
    internal void RenewPools()
    {
        lock (_writeGate)
        {
            if (IsDisposed)
            {
                return;
            }

            var state = _state;
            foreach (var endpoint in state.Endpoints)
            {
                endpoint.ReplacePool(RenewPool(state.Definition, endpoint));
            }
        }
    }

    /// <summary>
    /// The DNS refresh has new answers: rebuilds the endpoints from them (through the same path as a
    /// reload, so the addresses that stay keep their connections, counters and health) and retires
    /// the addresses that left once the new state is published.
    /// </summary>
    internal void OnDnsAnswer()
    {
        lock (_writeGate)
        {
            if (IsDisposed || _dns is null)
            {
                return;
            }

            var resolved = _dns.Endpoints();
            if (resolved.AsSpan().SequenceEqual(_resolved))
            {
                return;
            }

            _resolved = resolved;
            var previous = _state;
            _state = Build(previous.Definition, previous);
            UpdatePolicies(); // the policies see the new endpoints (active health checks start on them)
            LogEndpointChanges(previous.Endpoints, _state.Endpoints);
            RetireDropped(previous.Endpoints, _state.Endpoints);
        }
    }

    private void LogEndpointChanges(MeshEndpoint[] before, MeshEndpoint[] after)
    {
        if (!Logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var added = new List<string>();
        var removed = new List<string>();
        foreach (var endpoint in after)
        {
            if (Array.IndexOf(before, endpoint) < 0)
            {
                added.Add(endpoint.Authority);
            }
        }

        foreach (var endpoint in before)
        {
            if (Array.IndexOf(after, endpoint) < 0)
            {
                removed.Add(endpoint.Authority);
            }
        }

        ClusterLog.EndpointsChanged(Logger, Name, after.Length, string.Join(", ", added), string.Join(", ", removed));
    }

    /// <summary>See <see cref="ClusterPolicyContext.SetUnavailable"/>.</summary>
    internal bool SetUnavailable(MeshEndpoint endpoint, EndpointUnavailability reason, bool unavailable)
    {
        lock (_writeGate)
        {
            if (!endpoint.SetUnavailable(reason, unavailable))
            {
                return false;
            }

            if (!IsDisposed && Array.IndexOf(_state.Endpoints, endpoint) >= 0)
            {
                _state = Build(_state.Definition, _state);
            }

            Telemetry.OnAvailabilityChanged(this, endpoint, reason, unavailable);
            return true;
        }
    }

    /// <summary>See <see cref="ClusterPolicyContext.CreateTimer"/>.</summary>
    internal ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var timer = _services.TimeProvider.CreateTimer(callback, state, dueTime, period);
            _timers.Add(timer);
            return timer;
        }
    }

    /// <summary>See <see cref="ClusterPolicyContext.Policy{T}"/>.</summary>
    internal T? FindPolicy<T>()
        where T : class, IClusterPolicy
    {
        foreach (var policy in _policies)
        {
            if (policy is T found)
            {
                return found;
            }
        }

        return null;
    }

    public bool TryAcquire()
    {
        Interlocked.Increment(ref _active);
        if (Volatile.Read(ref _retired) != 0)
        {
            Release();
            return false;
        }

        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _retired) != 0)
        {
            Dispose();
        }
    }

    public void Retire()
    {
        // Interlocked (a full fence): the write must not pass the read of the active count.
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            Dispose();
        }
    }

    /// <summary>
    /// Stops the cluster now: no new attempt starts (<see cref="TryAcquire"/> fails, a pick in
    /// progress ends with <see cref="ObjectDisposedException"/>), timers and policies stop, and the
    /// endpoints' connections close as their attempts in flight end.
    /// </summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _retired, 1);
        lock (_writeGate)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _dns?.Dispose(); // no refresh reschedules a timer disposed below

            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
            foreach (var policy in _policies)
            {
                policy?.Dispose();
            }

            _policies = [];
            _passthrough?.Dispose();
            _connections.Dispose();
            foreach (var endpoint in _state.Endpoints)
            {
                endpoint.Retire();
            }
        }
    }

    private static void RetireDropped(MeshEndpoint[] before, MeshEndpoint[] after)
    {
        foreach (var old in before)
        {
            if (Array.IndexOf(after, old) < 0)
            {
                old.Retire();
            }
        }
    }

    /// <summary>The next state: endpoints matched by address and port, the available ones, their picker. Under the write gate.</summary>
    private ClusterState Build(ClusterDefinition definition, ClusterState? previous)
    {
        IReadOnlyList<EndpointDefinition> wanted = definition.Resolution == ServiceResolution.Dns ? _resolved : definition.Endpoints;
        var endpoints = new MeshEndpoint[wanted.Count];
        Dictionary<EndpointKey, MeshEndpoint>? kept = null;
        if (previous is not null && previous.Endpoints.Length > 0)
        {
            kept = new Dictionary<EndpointKey, MeshEndpoint>(previous.Endpoints.Length);
            foreach (var old in previous.Endpoints)
            {
                kept.TryAdd(old.Key, old);
            }
        }

        var wireChanged = previous is not null && previous.Definition.Wire != definition.Wire;
        if (SharesPools(definition))
        {
            // A pool leased from another cluster was not built here: load (and watch) this cluster's TLS files
            // all the same, so that a bad file fails this build and a rotation renews the shared pools.
            _connections.Prepare(definition.Wire);
        }

        _admission.Limits = definition.Limits;
        var available = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            var endpointDefinition = wanted[i];
            if (kept is not null && kept.Remove(endpointDefinition.Key, out var existing))
            {
                existing.Update(endpointDefinition);
                if (wireChanged)
                {
                    existing.ReplacePool(LeasePool(definition, endpointDefinition));
                }

                endpoints[i] = existing;
            }
            else
            {
                endpoints[i] = new MeshEndpoint(endpointDefinition, LeasePool(definition, endpointDefinition), LeaseLoad(definition, endpointDefinition)) { JoinedTimestamp = _services.TimeProvider.GetTimestamp() };
                ActiveHealthChecker.OnNewEndpoint(definition, endpoints[i]);
            }

            if (definition.Limits.Scope == ConnectionPoolScope.Endpoint)
            {
                endpoints[i].Admission.Limits = definition.Limits;
            }

            if (endpoints[i].Unavailability == EndpointUnavailability.None)
            {
                available++;
            }
        }

        var availableEndpoints = endpoints;
        if (available != endpoints.Length && !InPanic(definition, available, endpoints.Length))
        {
            availableEndpoints = new MeshEndpoint[available];
            var next = 0;
            foreach (var endpoint in endpoints)
            {
                if (endpoint.Unavailability == EndpointUnavailability.None)
                {
                    availableEndpoints[next++] = endpoint;
                }
            }
        }

        // Priorities and locality weights (Istio localityLbSetting): a layer in front of the policy's pickers.
        var picker = PriorityPicker.IsNeeded(endpoints)
            ? PriorityPicker.Create(_services.PickerFactory, definition, endpoints, availableEndpoints)
            : _services.PickerFactory.Create(definition, availableEndpoints);
        return new ClusterState(definition, endpoints, picker);
    }

    /// <summary>
    /// Envoy's healthy panic threshold (Istio <c>minHealthPercent</c>, set only with outlier detection):
    /// below that share of available endpoints, the picker balances over all of them, ignoring health.
    /// </summary>
    private static bool InPanic(ClusterDefinition definition, int available, int total) =>
        definition.OutlierDetection is { MinHealthPercent: > 0 } outlier
        && 100L * available < (long)outlier.MinHealthPercent * total;

    private EndpointPool CreatePool(EndpointDefinition endpoint, WireSettings wire) =>
        new(_connections.Create(
            IsLogicalDns(endpoint) ? UpstreamTarget.LogicalDns(endpoint, _dns!.Logical!) : UpstreamTarget.Endpoint(endpoint),
            wire));

    /// <summary>
    /// Whether this cluster's endpoints share their pools and load with the same endpoints of the service's
    /// other clusters (<see cref="SharedEndpointPools"/>): a named service's fixed or STRICT_DNS endpoints. A
    /// LOGICAL_DNS endpoint connects through this cluster's own resolution, so it is not shared.
    /// </summary>
    private bool SharesPools(ClusterDefinition definition) =>
        _services.Pools is not null && definition.Key != ClusterKey.Passthrough && !definition.IsPassthrough;

    private bool IsLogicalDns(EndpointDefinition endpoint) => _dns?.Logical is not null && endpoint.HostName is not null;

    /// <summary>
    /// Whether this cluster's endpoints share their connections: not with <c>tcp.maxConnections</c> set, which
    /// Envoy applies per cluster (a pool shared by two clusters would cap them together, and their excess
    /// would wait inside the pool, past the clusters' pending-request limits). Their load is shared all the same.
    /// </summary>
    private bool SharesConnections(ClusterDefinition definition, EndpointDefinition endpoint) =>
        SharesPools(definition) && !IsLogicalDns(endpoint) && definition.Wire.MaxConnectionsPerEndpoint <= 0;

    /// <summary>The endpoint's pool under the definition's wire settings: the shared one when there is one. Under the write gate.</summary>
    private EndpointPool LeasePool(ClusterDefinition definition, EndpointDefinition endpoint) =>
        SharesConnections(definition, endpoint)
            ? _services.Pools!.Lease(definition.ServiceName, endpoint.Key, definition.Wire, () => CreatePool(endpoint, definition.Wire))
            : CreatePool(endpoint, definition.Wire);

    /// <summary>A fresh pool for <paramref name="endpoint"/> (rotated TLS material): shared again with the clusters that renew theirs. Under the write gate.</summary>
    private EndpointPool RenewPool(ClusterDefinition definition, MeshEndpoint endpoint) =>
        SharesConnections(definition, endpoint.Definition)
            ? _services.Pools!.Renew(definition.ServiceName, endpoint.Key, definition.Wire, endpoint.Pool, () => CreatePool(endpoint.Definition, definition.Wire))
            : CreatePool(endpoint.Definition, definition.Wire);

    /// <summary>The endpoint's in-flight load counter: shared with the same endpoint of the service's other clusters when the pools are.</summary>
    private EndpointLoad? LeaseLoad(ClusterDefinition definition, EndpointDefinition endpoint) =>
        SharesPools(definition) && !IsLogicalDns(endpoint) ? _services.Pools!.LeaseLoad(definition.ServiceName, endpoint.Key) : null;

    /// <summary>Asks each policy factory for the policy under the current definition; disposes the ones dropped. Under the write gate.</summary>
    private void UpdatePolicies()
    {
        var factories = _services.PolicyFactories;
        if (factories.Count == 0)
        {
            return;
        }

        var current = _policies;
        var next = new IClusterPolicy?[factories.Count];
        for (var i = 0; i < next.Length; i++)
        {
            var existing = i < current.Length ? current[i] : null;
            next[i] = factories[i].Create(_policyContext, existing);
            if (existing is not null && !ReferenceEquals(existing, next[i]))
            {
                existing.Dispose();
            }
        }

        _policies = next;
    }

    private sealed class ClusterState(ClusterDefinition definition, MeshEndpoint[] endpoints, EndpointPicker picker)
    {
        public ClusterDefinition Definition { get; } = definition;

        public MeshEndpoint[] Endpoints { get; } = endpoints;

        public EndpointPicker Picker { get; } = picker;
    }
}

/// <summary>The cluster's log messages.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(30, LogLevel.Information, "Cluster {Cluster} endpoints changed by DNS: now {Count}; added [{Added}], removed [{Removed}] (removed endpoints drain their requests in flight).")]
    public static partial void EndpointsChanged(ILogger logger, string cluster, int count, string added, string removed);
}
