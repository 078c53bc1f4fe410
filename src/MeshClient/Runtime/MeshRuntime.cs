using System.Collections.Concurrent;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MeshClient.Runtime;

/// <summary>
/// The one singleton that owns all mutable mesh state (DESIGN.md rule 1): the current snapshot
/// and the live clusters by <see cref="ClusterKey"/>. Handlers are thin and recycled; they look
/// the state up here. Configuration changes arrive through <see cref="IOptionsMonitor{TOptions}"/>,
/// are validated, and are swapped in atomically; a bad change is logged and the last good
/// snapshot stays (DESIGN.md rule 2).
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
    private bool _disposed;

    private readonly ClusterHandlerFactory? _handlerFactory;

    public MeshRuntime(
        IOptionsMonitor<MeshOptions> options,
        ILogger<MeshRuntime>? logger = null,
        TimeProvider? timeProvider = null,
        ClusterHandlerFactory? handlerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _handlerFactory = handlerFactory;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Passthrough = new Cluster(new ClusterDefinition(
            ClusterKey.Passthrough, ClusterKey.Passthrough.Host, ServiceResolution.None, ServiceProtocol.Unspecified, LoadBalancerAlgorithm.Unspecified, null, []), handlerFactory);

        var diagnostics = MeshOptionsValidator.Validate(options.CurrentValue);
        var errors = Errors(diagnostics);
        if (errors.Count > 0)
        {
            Passthrough.Dispose();
            throw new MeshConfigurationException(errors);
        }

        LogWarnings(diagnostics);
        _state = Swap(MeshSnapshot.Build(options.CurrentValue));
        _subscription = options.OnChange((o, name) =>
        {
            if (string.IsNullOrEmpty(name))
            {
                Reload(o);
            }
        });
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The cluster for unknown hosts under ALLOW_ANY (Istio's <c>PassthroughCluster</c>).</summary>
    public Cluster Passthrough { get; }

    public RuntimeState State => _state;

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
            diagnostics = MeshOptionsValidator.Validate(options);
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
            _state = Swap(MeshSnapshot.Build(options));
        }
        catch (ObjectDisposedException)
        {
            return diagnostics; // disposed between the check above and the swap
        }

        LogReloaded(_logger, _state.Snapshot.Clusters.Count);
        return diagnostics;
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
            LogBlockedFirst(_logger, host, port);
        }
        else
        {
            LogBlocked(_logger, host, port);
        }
    }

    /// <summary>Records why an attempt ended without an upstream response (the caller gets Envoy's 503).</summary>
    public void OnUpstreamFailure(MeshResult result, MeshResponseFlags flags, Exception exception) =>
        LogUpstreamFailure(_logger, (result.Flags | flags).ToEnvoyString(), result.Cluster, result.Endpoint, exception.Message, exception);

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
            Passthrough.Dispose();
        }
    }

    private RuntimeState Swap(MeshSnapshot snapshot)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var live = new Dictionary<ClusterKey, Cluster>(snapshot.Clusters.Count);
            var routes = new List<(string, int, Cluster)>(snapshot.Clusters.Count);
            foreach (var definition in snapshot.Clusters)
            {
                if (_clusters.TryGetValue(definition.Key, out var cluster) && cluster.CanUpdateTo(definition))
                {
                    if (!cluster.Definition.IsEquivalentTo(definition))
                    {
                        cluster.Update(definition);
                    }
                }
                else
                {
                    // New, or a different kind of wire (resolution NONE <-> endpoints, another
                    // targetPort): a new cluster; the old one is retired below.
                    cluster = new Cluster(definition, _handlerFactory, TimeProvider);
                }

                live[definition.Key] = cluster;
                routes.Add((definition.Key.Host, definition.Key.Port, cluster));
            }

            var state = new RuntimeState(snapshot, HostTable<Cluster>.Build(routes));
            _state = state;
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

    [LoggerMessage(4, LogLevel.Warning, "Blocked a request to '{Host}:{Port}': the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. To allow it, declare it with services.AddMeshExternalService(\"{Host}\", ...) or a ServiceEntry listing port {Port}, or set MeshOptions.OutboundTrafficPolicy to AllowAny.")]
    private static partial void LogBlockedFirst(ILogger logger, string host, int port);

    [LoggerMessage(6, LogLevel.Debug, "Upstream failure {Flags} on {Cluster} endpoint {Endpoint}: {Reason}")]
    private static partial void LogUpstreamFailure(ILogger logger, string flags, string? cluster, string? endpoint, string reason, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Blocked a request to '{Host}:{Port}' (REGISTRY_ONLY, host not declared).")]
    private static partial void LogBlocked(ILogger logger, string host, int port);
}
