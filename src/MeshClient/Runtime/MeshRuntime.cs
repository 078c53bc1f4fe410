using System.Collections.Concurrent;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MeshClient.Runtime;

/// <summary>
/// The one singleton that owns all mutable mesh state: the current snapshot
/// and the live clusters by <see cref="ClusterKey"/>. Handlers are thin and recycled; they look
/// the state up here. Configuration changes arrive through <see cref="IOptionsMonitor{TOptions}"/>,
/// are validated, and are swapped in atomically; a bad change is logged and the last good
/// snapshot stays.
/// </summary>
internal sealed partial class MeshRuntime : IDisposable
{
    private const int MaxRememberedBlockedHosts = 1024;

    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<ClusterKey, Cluster> _clusters = [];
    private readonly ConcurrentDictionary<string, byte> _blockedHostsLogged = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable? _subscription;
    private volatile RuntimeState _state;
    private volatile Cluster _passthrough;
    private bool _disposed;

    private readonly ClusterServices _clusterServices;
    private readonly IMeshCredentialProvider? _credentials;
    private readonly Resilience.RetryJitter _retryJitter;

    public MeshRuntime(
        IOptionsMonitor<MeshOptions> options,
        ILogger<MeshRuntime>? logger = null,
        TimeProvider? timeProvider = null,
        ClusterHandlerFactory? handlerFactory = null,
        IEndpointPickerFactory? pickerFactory = null,
        IEnumerable<IClusterPolicyFactory>? policyFactories = null,
        Resilience.RetryJitter? retryJitter = null,
        IDnsLookup? dns = null,
        IEnumerable<IMeshEndpointResolver>? resolvers = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null,
        IMeshCredentialProvider? credentialProvider = null)
    {
        _credentials = credentialProvider;
        _retryJitter = retryJitter ?? Resilience.RetryJitter.Shared;
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Telemetry = new Telemetry.MeshTelemetry(options, meterFactory, _logger, TimeProvider);
        _clusterServices = new ClusterServices(TimeProvider, handlerFactory, pickerFactory, policyFactories?.ToArray(), _logger, dns, resolvers, Telemetry);
        _passthrough = new Cluster(MeshSnapshot.PassthroughDefinition(), _clusterServices);

        var diagnostics = MeshOptionsValidator.Validate(options.CurrentValue, [.. _clusterServices.Resolvers.Keys], _credentials);
        var errors = Errors(diagnostics);
        if (errors.Count > 0)
        {
            _passthrough.Dispose();
            Telemetry.Dispose();
            throw new MeshConfigurationException(errors);
        }

        LogWarnings(diagnostics);
        Mirrors = new Http.MirrorSender(this);
        Telemetry.Attach(this);
        _state = Swap(MeshSnapshot.Build(options.CurrentValue, _credentials));
        _subscription = options.OnChange((o, name) =>
        {
            if (string.IsNullOrEmpty(name))
            {
                ReloadFromChange(o);
            }
        });
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// The cluster for unknown hosts under ALLOW_ANY (Istio's <c>PassthroughCluster</c>); replaced when a
    /// reload changes its wire (the mesh-wide egress proxy), the old one finishing its attempts in flight.
    /// </summary>
    public Cluster Passthrough => _passthrough;

    public RuntimeState State => _state;

    /// <summary>The mesh's metrics, spans and trace headers (the <c>MeshClient</c> meter and activity source).</summary>
    public Telemetry.MeshTelemetry Telemetry { get; }

    /// <summary>Sends the copies of mirrored routes.</summary>
    public Http.MirrorSender Mirrors { get; } = null!;

    /// <summary>Whether the runtime was disposed (its service provider was); requests then fail with <see cref="ObjectDisposedException"/>.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Validates and, when valid, applies new options. Returns every finding.</summary>
    public IReadOnlyList<MeshConfigurationDiagnostic> Reload(MeshOptions options)
    {
        if (Volatile.Read(ref _disposed))
        {
            // A change that arrives while the application shuts down.
            return [];
        }

        List<MeshConfigurationDiagnostic> diagnostics;
        try
        {
            diagnostics = MeshOptionsValidator.Validate(options, [.. _clusterServices.Resolvers.Keys], _credentials);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            diagnostics = [MeshConfigurationDiagnostic.Error("The configuration could not be validated: " + ex.Message)];
        }

        var errors = Errors(diagnostics);
        if (errors.Count > 0)
        {
            LogReloadRejected(_logger, errors.Count, string.Join(Environment.NewLine, errors));
            return diagnostics;
        }

        LogWarnings(diagnostics);
        try
        {
            _state = Swap(MeshSnapshot.Build(options, _credentials));
        }
        catch (ObjectDisposedException) when (IsDisposed)
        {
            return diagnostics; // disposed between the check above and the swap
        }

        LogReloaded(_logger, _state.Snapshot.Clusters.Count);
        return diagnostics;
    }

    /// <summary>
    /// A change notification from the options monitor: whatever goes wrong (binding, building a
    /// cluster) is logged and the last good state stays; nothing escapes into the notifier, which
    /// would stop delivering later changes or take the application down.
    /// </summary>
    private void ReloadFromChange(MeshOptions options)
    {
        try
        {
            Reload(options);
        }
#pragma warning disable CA1031 // A reload failure must never escape into the change notifier.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogReloadFailed(_logger, ex);
        }
    }

    public Cluster? FindCluster(ClusterKey key)
    {
        lock (_gate)
        {
            return _clusters.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<Cluster> GetClusters()
    {
        lock (_gate)
        {
            return [.. _clusters.Values];
        }
    }

    public void OnBlocked(string host, int port)
    {
        if (_blockedHostsLogged.Count < MaxRememberedBlockedHosts && _blockedHostsLogged.TryAdd(host, 0))
        {
            LogBlockedFirst(_logger, MeshNoRouteException.Authority(host, port), host, port);
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            LogBlocked(_logger, MeshNoRouteException.Authority(host, port));
        }
    }

    /// <summary>Records why an attempt ended without an upstream response (the caller gets Envoy's 503).</summary>
    public void OnUpstreamFailure(MeshResult result, MeshResponseFlags flags, string? endpoint, Exception exception)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            LogUpstreamFailure(_logger, (result.Flags | flags).ToEnvoyString(), result.Cluster, endpoint, exception.Message, exception);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _disposed, true);
            _subscription?.Dispose();
            foreach (var cluster in _clusters.Values)
            {
                cluster.Dispose();
            }

            _clusters.Clear();
            _passthrough.Dispose();
            Mirrors.Dispose();
            Telemetry.Dispose();
        }
    }

    private RuntimeState Swap(MeshSnapshot snapshot)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // First the clusters that must be created (new, or a different kind of wire: resolution
            // NONE <-> endpoints, another targetPort). If one fails, nothing has changed yet: dispose
            // the ones made and keep the last good state.
            var created = new Dictionary<ClusterKey, Cluster>();
            var previousPassthrough = _passthrough;
            Cluster? newPassthrough = null;
            try
            {
                foreach (var definition in snapshot.Clusters)
                {
                    if (!(_clusters.TryGetValue(definition.Key, out var existing) && existing.CanUpdateTo(definition)))
                    {
                        created[definition.Key] = new Cluster(definition, _clusterServices);
                    }
                }

                if (!previousPassthrough.CanUpdateTo(snapshot.Passthrough))
                {
                    // Another wire (the mesh-wide egress proxy came, went or changed): a new pool.
                    newPassthrough = new Cluster(snapshot.Passthrough, _clusterServices);
                }
            }
            catch
            {
                foreach (var cluster in created.Values)
                {
                    cluster.Dispose();
                }

                throw;
            }

            // Then the changes in place; each cluster builds its next state before publishing it, so
            // a failure leaves that cluster on its last good state.
            var live = new Dictionary<ClusterKey, Cluster>(snapshot.Clusters.Count);
            foreach (var definition in snapshot.Clusters)
            {
                if (!created.TryGetValue(definition.Key, out var cluster))
                {
                    cluster = _clusters[definition.Key];
                    if (!cluster.Definition.IsEquivalentTo(definition))
                    {
                        cluster.Update(definition);
                    }
                }

                live[definition.Key] = cluster;
            }

            if (newPassthrough is not null)
            {
                _passthrough = newPassthrough;
            }
            else if (!previousPassthrough.Definition.IsEquivalentTo(snapshot.Passthrough))
            {
                previousPassthrough.Update(snapshot.Passthrough);
            }

            var state = RouteBinder.Bind(snapshot, live, _passthrough, _clusterServices.TimeProvider, _retryJitter);
            _state = state;
            if (!ReferenceEquals(previousPassthrough, _passthrough))
            {
                previousPassthrough.Retire();
            }

            foreach (var (key, cluster) in _clusters)
            {
                if (!live.TryGetValue(key, out var kept) || !ReferenceEquals(kept, cluster))
                {
                    cluster.Retire();
                }
            }

            _clusters.Clear();
            foreach (var (key, cluster) in live)
            {
                _clusters[key] = cluster;
            }

            return state;
        }
    }

    private static List<string> Errors(List<MeshConfigurationDiagnostic> diagnostics)
    {
        var errors = new List<string>();
        foreach (var d in diagnostics)
        {
            if (d.IsError)
            {
                errors.Add(d.Message);
            }
        }

        return errors;
    }

    private void LogWarnings(List<MeshConfigurationDiagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            if (!d.IsError)
            {
                LogConfigurationWarning(_logger, d.Message);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Mesh configuration warning: {Message}")]
    private static partial void LogConfigurationWarning(ILogger logger, string message);

    [LoggerMessage(2, LogLevel.Error, "Mesh configuration change rejected ({Count} errors); the last good configuration stays in use:\n{Errors}")]
    private static partial void LogReloadRejected(ILogger logger, int count, string errors);

    [LoggerMessage(3, LogLevel.Information, "Mesh configuration reloaded: {Clusters} clusters.")]
    private static partial void LogReloaded(ILogger logger, int clusters);

    [LoggerMessage(4, LogLevel.Warning, "Blocked a request to '{Authority}': the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. To allow it, declare it with services.AddMeshExternalService(\"{Host}\", ...) or a ServiceEntry listing port {Port}, or set MeshOptions.OutboundTrafficPolicy to AllowAny.")]
    private static partial void LogBlockedFirst(ILogger logger, string authority, string host, int port);

    [LoggerMessage(6, LogLevel.Debug, "Upstream failure {Flags} on {Cluster} endpoint {Endpoint}: {Reason}")]
    private static partial void LogUpstreamFailure(ILogger logger, string flags, string? cluster, string? endpoint, string reason, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Mesh configuration change could not be applied; the last good configuration stays in use.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Blocked a request to '{Authority}' (REGISTRY_ONLY, host not declared).")]
    private static partial void LogBlocked(ILogger logger, string authority);
}
