using System.Net;
using MeshClient.Model;
using MeshClient.Runtime;
using Microsoft.Extensions.Logging;

namespace MeshClient.Discovery;

/// <summary>
/// The DNS side of one DNS or DNS_ROUND_ROBIN cluster (Envoy STRICT_DNS / LOGICAL_DNS): resolves
/// the cluster's targets off the request path, on a timer of the injected <see cref="TimeProvider"/>
/// — again after the answer's TTL (the smallest for strict DNS, the first record's for logical
/// DNS, clamped to the configured bounds; the refresh rate when the TTL is 0), plus jitter — and
/// hands every change to its <see cref="Cluster"/>, whose single writer rebuilds the endpoints
/// (<see cref="Cluster.OnDnsAnswer"/>). A failed lookup (timeout, SERVFAIL, NXDOMAIN) keeps the last
/// good addresses of that name and retries with back-off; a successful empty answer empties them.
/// </summary>
/// <remarks>All state is here, in the cluster's singleton; one refresh runs at a time.</remarks>
internal sealed partial class DnsDiscovery : IDisposable
{
    private readonly Cluster _cluster;
    private readonly IDnsLookup _lookup;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, DnsAnswer> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private IReadOnlyList<EndpointDefinition> _targets;
    private DnsSettings _settings;
    private readonly bool _logical;
    private bool _refreshing;
    private bool _again;
    private int _failures;
    private long _refreshes;
    private long _failedLookups;
    private volatile bool _resolved;
    private bool _stopped;

    public DnsDiscovery(Cluster cluster, ClusterDefinition definition, IDnsLookup lookup, TimeProvider timeProvider, ILogger logger)
    {
        _cluster = cluster;
        _lookup = lookup;
        _timeProvider = timeProvider;
        _logger = logger;
        _targets = definition.DnsTargets;
        _settings = definition.Dns ?? DnsSettings.Default;
        _logical = definition.Resolution == Configuration.ServiceResolution.DnsRoundRobin;
        Logical = _logical ? new LogicalDnsAddress(timeProvider, _settings.FirstResolutionTimeout) : null;
    }

    /// <summary>For DNS_ROUND_ROBIN: where new connections of the logical endpoint go.</summary>
    public LogicalDnsAddress? Logical { get; }

    /// <summary>Whether every name has resolved successfully at least once since the cluster was created.</summary>
    public bool HasResolved => _resolved;

    /// <summary>Completes when the first refresh has ended (well or not).</summary>
    public Task FirstRefresh => _first.Task;

    /// <summary>How long a request waits for the first resolution.</summary>
    public TimeSpan FirstResolutionTimeout => Volatile.Read(ref _settings).FirstResolutionTimeout;

    /// <summary>Refreshes completed (for diagnostics and tests).</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>The delay until the next refresh, as last scheduled (diagnostics and tests); <see langword="null"/> before the first.</summary>
    public TimeSpan? NextRefreshDelay { get; private set; }

    /// <summary>Lookups that failed (the last good set stayed).</summary>
    public long FailedLookups => Interlocked.Read(ref _failedLookups);

    /// <summary>When the last refresh whose every lookup succeeded ended (the cluster's clock); <see langword="null"/> before one.</summary>
    public DateTimeOffset? LastSuccess { get; private set; }

    /// <summary>When the last failed lookup was seen; <see langword="null"/> before one.</summary>
    public DateTimeOffset? LastFailure { get; private set; }

    /// <summary>Why the last failed lookup failed; <see langword="null"/> before one.</summary>
    public string? LastError { get; private set; }

    /// <summary>Starts resolving (the cluster's constructor, after its first state is published).</summary>
    public void Start()
    {
        _timer = _cluster.CreateTimer(static s => ((DnsDiscovery)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        OnTimer();
    }

    /// <summary>
    /// The cluster's writer, under its gate: a reload changed the targets or the settings. Returns the
    /// endpoints the cached answers give for the new targets, or <see langword="null"/> to keep the
    /// current ones while a new name resolves (it is resolved now).
    /// </summary>
    public EndpointDefinition[]? Update(ClusterDefinition definition)
    {
        bool refresh;
        var unresolved = false;
        lock (_gate)
        {
            var settingsChanged = !_settings.Equals(definition.Dns ?? DnsSettings.Default);
            _settings = definition.Dns ?? DnsSettings.Default;
            _targets = definition.DnsTargets;
            if (Logical is not null)
            {
                Logical.FirstResolutionTimeout = _settings.FirstResolutionTimeout;
            }

            foreach (var target in _targets)
            {
                unresolved |= target.HostName is { } name && !_answers.ContainsKey(name);
            }

            refresh = settingsChanged || unresolved;
        }

        if (refresh)
        {
            OnTimer();
        }

        return unresolved ? null : Endpoints();
    }

    /// <summary>The endpoints the last good answers give: each target's addresses on its port, duplicates removed (the first wins).</summary>
    public EndpointDefinition[] Endpoints()
    {
        lock (_gate)
        {
            var endpoints = new List<EndpointDefinition>();
            var seen = new HashSet<EndpointKey>();
            foreach (var target in _targets)
            {
                if (target.HostName is not { } name)
                {
                    if (seen.Add(target.Key))
                    {
                        endpoints.Add(target);
                    }

                    continue;
                }

                if (!_answers.TryGetValue(name, out var answer))
                {
                    continue;
                }

                foreach (var address in answer.Addresses)
                {
                    var endpoint = new EndpointDefinition(address, target.Port, target.Weight, target.Locality) { Priority = target.Priority, LocalityWeight = target.LocalityWeight };
                    if (seen.Add(endpoint.Key))
                    {
                        endpoints.Add(endpoint);
                    }
                }
            }

            return [.. endpoints];
        }
    }

    /// <summary>The cluster is disposed: no refresh after this (the timer is the cluster's, disposed with it).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _stopping.Cancel();
        _first.TrySetResult();
    }

    /// <summary>Stops the refreshes and releases the cancellation source.</summary>
    public void Dispose()
    {
        Stop();
        _stopping.Dispose();
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (_refreshing)
            {
                _again = true;
                return;
            }

            _refreshing = true;
        }

        _ = Task.Run(RefreshAsync);
    }

    private async Task RefreshAsync()
    {
        try
        {
            while (true)
            {
                IReadOnlyList<EndpointDefinition> targets;
                DnsSettings settings;
                lock (_gate)
                {
                    targets = _targets;
                    settings = _settings;
                    _again = false;
                }

                var names = new List<string>();
                foreach (var target in targets)
                {
                    if (target.HostName is { } name && !names.Contains(name))
                    {
                        names.Add(name);
                    }
                }

                var answers = new DnsAnswer[names.Count];
                for (var i = 0; i < names.Count; i++)
                {
                    answers[i] = await ResolveAsync(names[i], settings).ConfigureAwait(false);
                }

                var next = Apply(names, answers, settings, out var resolved);
                _cluster.OnDnsAnswer();

                // Only once the endpoints are published: a request that sees HasResolved does not wait
                // for the first resolution and must find its endpoints (it got 503 UH in between).
                if (resolved)
                {
                    _resolved = true;
                }

                _first.TrySetResult();
                lock (_gate)
                {
                    var again = _again && !_stopped;
                    if (!_stopped && !again)
                    {
                        _refreshing = false;
                        if (next is { } due)
                        {
                            NextRefreshDelay = due;
                            _timer?.Change(due, Timeout.InfiniteTimeSpan);
                        }
                    }

                    // Counted once the next refresh is scheduled: whoever sees the count (a test advancing
                    // a fake clock, the statistics) sees the timer that follows it.
                    Interlocked.Increment(ref _refreshes);
                    if (!again)
                    {
                        return;
                    }
                }
            }
        }
#pragma warning disable CA1031 // A background refresh must never crash the process; the next one is scheduled.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogRefreshFailed(_logger, _cluster.Name, ex);
            lock (_gate)
            {
                _refreshing = false;
                if (!_stopped)
                {
                    _timer?.Change(_settings.RefreshRate, Timeout.InfiniteTimeSpan);
                }
            }

            _first.TrySetResult();
        }
    }

    private async Task<DnsAnswer> ResolveAsync(string name, DnsSettings settings)
    {
        try
        {
            return await _lookup.ResolveAsync(name, settings, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return DnsAnswer.Failed(DnsAnswerStatus.Failure, "stopped");
        }
#pragma warning disable CA1031 // A resolver's exception is a failed lookup: the last good set stays.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return DnsAnswer.Failed(DnsAnswerStatus.Failure, ex.Message);
        }
    }

    /// <summary>Records the answers (failures keep the last good ones) and returns when to refresh next (<see langword="null"/>: never, no name); <paramref name="resolved"/>: every name resolved.</summary>
    private TimeSpan? Apply(List<string> names, DnsAnswer[] answers, DnsSettings settings, out bool resolved)
    {
        resolved = false;
        lock (_gate)
        {
            TimeSpan? next = null;
            var failed = false;
            var all = true;
            for (var i = 0; i < names.Count; i++)
            {
                var answer = answers[i];
                if (answer.IsSuccess)
                {
                    _answers[names[i]] = answer;
                    var due = settings.NextRefresh(_logical ? answer.FirstTtl : answer.MinTtl);
                    next = next is { } n && n <= due ? n : due;
                }
                else
                {
                    failed = true;
                    all &= _answers.ContainsKey(names[i]);
                    LastFailure = _timeProvider.GetUtcNow();
                    LastError = FormattableString.Invariant($"{names[i]}: {answer.Error ?? answer.Status.ToString()}");
                    Interlocked.Increment(ref _failedLookups);
                    LogLookupFailed(_logger, _cluster.Name, names[i], answer.Error ?? answer.Status.ToString(), _answers.ContainsKey(names[i]));
                }
            }

            // Forget the answers of names no longer targeted.
            if (_answers.Count > names.Count)
            {
                foreach (var name in _answers.Keys.ToArray())
                {
                    if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
                    {
                        _answers.Remove(name);
                    }
                }
            }

            if (failed)
            {
                _failures++;
                var backoff = settings.Backoff(_failures);
                next = next is { } n && n <= backoff ? n : backoff;
            }
            else
            {
                _failures = 0;
                LastSuccess = _timeProvider.GetUtcNow();
            }

            if (all && !failed)
            {
                resolved = true;
            }

            if (Logical is not null)
            {
                IPAddress? first = null;
                if (names.Count > 0 && _answers.TryGetValue(names[0], out var answer) && answer.Addresses.Length > 0)
                {
                    first = answer.Addresses[0];
                }

                Logical.OnAnswer(first, !failed);
            }

            if (next is { } delay && settings.Jitter > TimeSpan.Zero)
            {
                delay += TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * settings.Jitter.Ticks));
                next = delay;
            }

            return next;
        }
    }

    [LoggerMessage(20, LogLevel.Warning, "DNS lookup of '{Name}' for cluster {Cluster} failed: {Reason}; keeping the last good addresses ({HasLastGood}) and retrying with back-off.")]
    private static partial void LogLookupFailed(ILogger logger, string cluster, string name, string reason, bool hasLastGood);

    [LoggerMessage(21, LogLevel.Error, "DNS refresh of cluster {Cluster} failed unexpectedly; retrying at the refresh rate.")]
    private static partial void LogRefreshFailed(ILogger logger, string cluster, Exception exception);
}
