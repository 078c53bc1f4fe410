using System.Net;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Model;
using Microsoft.Extensions.Logging;

namespace MeshClient.Health;

/// <summary>
/// Active health checks of one cluster (Envoy's cluster <c>health_checks</c>; a MeshClient extension):
/// each endpoint is checked on its own timer on the cluster's <see cref="TimeProvider"/>, off the
/// request path, at most <see cref="MaxConcurrentChecks"/> at a time. Consecutive results flip the
/// endpoint's status (<see cref="EndpointActiveHealth"/>); an unhealthy endpoint is out of the load
/// balancer (<see cref="EndpointUnavailability.FailedActiveCheck"/>, through the cluster's single
/// writer), and a passing check on a healthy endpoint lets it back in if outlier detection ejected it.
/// </summary>
/// <remarks>
/// <para>
/// An HTTP check is sent on the endpoint's own connection pool (<see cref="EndpointPool"/>) with the
/// service host in its URI, so it uses the same connection settings, TLS (origination, client
/// certificate, server-certificate checks) and SNI as real traffic; it bypasses the mesh's handlers,
/// so it is never a request in the mesh's statistics, its attempts, its outlier detection or its
/// connection-pool admission. A TCP check opens a connection to the endpoint and closes it.
/// </para>
/// <para>
/// Locks: the checker's gate guards its probes; it is taken under the cluster's write gate
/// (<see cref="Reconcile"/> from the factory) and never held while a check's verdict goes to the
/// cluster's writer.
/// </para>
/// </remarks>
internal sealed partial class ActiveHealthChecker : IClusterPolicy
{
    /// <summary>The most checks of one cluster in flight at once.</summary>
    internal const int MaxConcurrentChecks = 8;

    /// <summary>The shortest wait before a check (a timer never fires inside the call that sets it).</summary>
    private static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(1);

    private readonly ClusterPolicyContext _context;
    private readonly ILogger _logger;
    private readonly Func<MeshEndpoint, CancellationToken, ValueTask>? _tcpConnect;
    private readonly Func<double> _random;
    private readonly object _gate = new();
    private readonly Dictionary<MeshEndpoint, Probe> _probes = new(ReferenceEqualityComparer.Instance);
    private readonly Queue<Probe> _waiting = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _running;
    private bool _disposed;

    public ActiveHealthChecker(ClusterPolicyContext context, HealthCheckSettings settings, Func<MeshEndpoint, CancellationToken, ValueTask>? tcpConnect = null, Func<double>? random = null)
    {
        _context = context;
        _logger = context.Logger;
        _tcpConnect = tcpConnect;
        _random = random ?? Random.Shared.NextDouble;
        Settings = settings;
        Reconcile();
    }

    public HealthCheckSettings Settings { get; }

    /// <summary>The checks in flight (tests).</summary>
    internal int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>The endpoints being checked (tests).</summary>
    internal int Probes
    {
        get
        {
            lock (_gate)
            {
                return _probes.Count;
            }
        }
    }

    /// <summary>
    /// Called by the cluster's writer for each endpoint it creates: with <c>noTrafficUntilHealthy</c>, a
    /// new endpoint is out of the load balancer from the start, until a first check passes.
    /// </summary>
    public static void OnNewEndpoint(ClusterDefinition definition, MeshEndpoint endpoint)
    {
        if (definition.HealthCheck is { NoTrafficUntilHealthy: true })
        {
            endpoint.SetUnavailable(EndpointUnavailability.FailedActiveCheck, true);
        }
    }

    /// <summary>Active checks were turned off for the cluster: every endpoint they took out goes back in.</summary>
    public static void RestoreAll(ClusterPolicyContext context)
    {
        foreach (var endpoint in context.Endpoints)
        {
            endpoint.ActiveHealth.Reset();
            context.SetUnavailable(endpoint, EndpointUnavailability.FailedActiveCheck, false);
        }
    }

    /// <summary>Checks are sent by the checker's timers; the attempts of real traffic teach it nothing.</summary>
    public void OnAttemptEnded(MeshEndpoint endpoint, in AttemptOutcome outcome)
    {
    }

    /// <summary>
    /// Starts checking the cluster's new endpoints (each first within the jitter) and stops checking
    /// the ones that left. Called when the checker is created and whenever the endpoints change.
    /// </summary>
    public void Reconcile()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var endpoints = _context.Endpoints;
            List<MeshEndpoint>? gone = null;
            foreach (var (endpoint, _) in _probes)
            {
                if (Array.IndexOf(endpoints, endpoint) < 0)
                {
                    (gone ??= []).Add(endpoint);
                }
            }

            foreach (var endpoint in gone ?? [])
            {
                _probes.Remove(endpoint, out var probe);
                probe!.Stop();
            }

            foreach (var endpoint in endpoints)
            {
                if (!_probes.ContainsKey(endpoint))
                {
                    var probe = new Probe(this, endpoint);
                    _probes.Add(endpoint, probe);
                    probe.Start(Jittered(TimeSpan.Zero));
                }
            }
        }
    }

    /// <summary>Stops every timer and cancels the checks in flight; the endpoints keep their status for a replacement checker.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (_, probe) in _probes)
            {
                probe.Stop();
            }

            _probes.Clear();
            _waiting.Clear();
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary><paramref name="delay"/> plus a random share of the jitter, at least <see cref="MinimumDelay"/>.</summary>
    internal TimeSpan Jittered(TimeSpan delay)
    {
        var next = delay + (Settings.Jitter * _random());
        return next < MinimumDelay ? MinimumDelay : next;
    }

    /// <summary>
    /// A probe's timer fired: its check starts now if fewer than <see cref="MaxConcurrentChecks"/> are in
    /// flight, otherwise it waits its turn (started by the check that ends first, in order).
    /// </summary>
    private void Start(Probe probe)
    {
        lock (_gate)
        {
            if (_disposed || probe.IsStopped)
            {
                return;
            }

            if (_running >= MaxConcurrentChecks)
            {
                _waiting.Enqueue(probe);
                return;
            }

            _running++;
        }

        _ = RunAsync(probe);
    }

    /// <summary>Runs one check of <paramref name="probe"/>'s endpoint (a slot is held) and applies its result; never throws.</summary>
    private async Task RunAsync(Probe probe)
    {
        while (true)
        {
            await RunOneAsync(probe).ConfigureAwait(false);
            lock (_gate)
            {
                // Hand the slot to the next probe waiting for one, if any.
                Probe? next = null;
                while (!_disposed && _waiting.TryDequeue(out var waiting))
                {
                    if (!waiting.IsStopped)
                    {
                        next = waiting;
                        break;
                    }
                }

                if (next is null)
                {
                    _running--;
                    return;
                }

                probe = next;
            }
        }
    }

    private async Task RunOneAsync(Probe probe)
    {
        CancellationToken stopping;
        lock (_gate)
        {
            if (_disposed || probe.IsStopped)
            {
                return;
            }

            stopping = _stopping.Token;
        }

        var endpoint = probe.Endpoint;
        try
        {
            var passed = await CheckAsync(endpoint, stopping).ConfigureAwait(false);
            if (stopping.IsCancellationRequested || probe.IsStopped || endpoint.IsRetired)
            {
                return;
            }

            Apply(endpoint, passed);
            probe.Schedule(Jittered(Settings.Interval));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // the checker stopped
        }
#pragma warning disable CA1031 // A timer's work must not throw: log, and check again later.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogCheckCrashed(_logger, endpoint.Authority, _context.ClusterName, ex);
            probe.Schedule(Jittered(Settings.Interval));
        }
    }

    /// <summary>One check: <see langword="true"/> when it passed within the timeout.</summary>
    private async Task<bool> CheckAsync(MeshEndpoint endpoint, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(Settings.Timeout, _context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            if (Settings.IsTcp)
            {
                await ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
                return true;
            }

            var pool = endpoint.AcquirePool(); // a replaced pool closes after the check
            if (pool is null)
            {
                return false; // retired: nothing to check
            }

            try
            {
                using var request = new HttpRequestMessage(Settings.Method, Settings.Uri)
                {
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                };
                foreach (var (name, value) in Settings.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await pool.Invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (Settings.IsExpected(status))
                {
                    return true;
                }

                LogCheckFailed(_logger, endpoint.Authority, _context.ClusterName, $"status {status}");
                return false;
            }
            finally
            {
                pool.Release();
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            LogCheckFailed(_logger, endpoint.Authority, _context.ClusterName, "timed out after " + Settings.Timeout.ToString());
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            LogCheckFailed(_logger, endpoint.Authority, _context.ClusterName, ex.Message);
            return false;
        }
    }

    /// <summary>The TCP check: a connection to the endpoint's address (or name), closed at once.</summary>
    private ValueTask ConnectAsync(MeshEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (_tcpConnect is not null)
        {
            return _tcpConnect(endpoint, cancellationToken);
        }

        return ConnectCoreAsync(endpoint.Definition, _context.Definition.Wire.ProxyProtocol, cancellationToken);

        // The cluster's PROXY protocol header too, as Envoy's health checker connects through the cluster's transport socket.
        static async ValueTask ConnectCoreAsync(EndpointDefinition definition, Configuration.ProxyProtocolVersion? proxyProtocol, CancellationToken cancellationToken)
        {
            var stream = await ClusterConnections.ConnectAsync(definition.ToEndPoint(), null, cancellationToken, proxyProtocol).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Records a result on the endpoint and applies a changed status through the cluster's writer.</summary>
    private void Apply(MeshEndpoint endpoint, bool passed)
    {
        var health = endpoint.ActiveHealth;
        switch (health.Record(passed, Settings.UnhealthyThreshold, Settings.HealthyThreshold))
        {
            case ActiveHealthTransition.BecameHealthy:
                if ((endpoint.Unavailability & EndpointUnavailability.FailedActiveCheck) != 0)
                {
                    // Envoy: a host that active checks bring back (not one that was taking traffic already) slow-starts again.
                    endpoint.RestartSlowStart(_context.TimeProvider.GetTimestamp());
                }

                _context.SetUnavailable(endpoint, EndpointUnavailability.FailedActiveCheck, false);
                LogHealthy(_logger, endpoint.Authority, _context.ClusterName, health.Checks);
                break;
            case ActiveHealthTransition.BecameUnhealthy:
                _context.SetUnavailable(endpoint, EndpointUnavailability.FailedActiveCheck, true);
                LogUnhealthy(_logger, endpoint.Authority, _context.ClusterName, Settings.UnhealthyThreshold);
                break;
        }

        if (passed && endpoint.Health.IsEjected && health.Status == ActiveHealthStatus.Healthy)
        {
            _context.Policy<OutlierDetector>()?.UnejectAfterActiveCheck(endpoint);
        }
    }

    [LoggerMessage(110, LogLevel.Warning, "Active health checks took endpoint {Endpoint} of {Cluster} out of the load balancer after {Failures} consecutive failed checks.")]
    private static partial void LogUnhealthy(ILogger logger, string endpoint, string cluster, int failures);

    [LoggerMessage(111, LogLevel.Information, "Active health checks found endpoint {Endpoint} of {Cluster} healthy (check {Checks}).")]
    private static partial void LogHealthy(ILogger logger, string endpoint, string cluster, long checks);

    [LoggerMessage(112, LogLevel.Debug, "Active health check of endpoint {Endpoint} of {Cluster} failed: {Reason}.")]
    private static partial void LogCheckFailed(ILogger logger, string endpoint, string cluster, string reason);

    [LoggerMessage(113, LogLevel.Error, "Active health check of endpoint {Endpoint} of {Cluster} failed unexpectedly.")]
    private static partial void LogCheckCrashed(ILogger logger, string endpoint, string cluster, Exception exception);

    /// <summary>One endpoint's checks: a one-shot timer, set again when each check ends (Envoy starts the next interval after the response).</summary>
    private sealed class Probe(ActiveHealthChecker checker, MeshEndpoint endpoint)
    {
        private ITimer? _timer;
        private volatile bool _stopped;

        public MeshEndpoint Endpoint => endpoint;

        public bool IsStopped => _stopped;

        public void Start(TimeSpan due)
        {
            _timer = checker._context.TimeProvider.CreateTimer(static state => ((Probe)state!).Fire(), this, due, Timeout.InfiniteTimeSpan);
        }

        public void Schedule(TimeSpan due)
        {
            if (!_stopped)
            {
                try
                {
                    _timer?.Change(due, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // stopped meanwhile
                }
            }
        }

        public void Stop()
        {
            _stopped = true;
            _timer?.Dispose();
        }

        private void Fire() => checker.Start(this);
    }
}
