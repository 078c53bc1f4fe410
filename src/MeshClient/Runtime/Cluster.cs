using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using Polly;

namespace MeshClient.Runtime;

/// <summary>
/// Everything mutable about one cluster, owned by the singleton <see cref="MeshRuntime"/>: the
/// connection settings, the current picker over the endpoints (each with its connection pool and
/// counters). A reload that keeps the cluster swaps the picker and keeps the endpoints that stay,
/// with their connections and counters.
/// </summary>
/// <remarks>
/// Lifetime: requests <see cref="TryAcquire"/> the cluster for each attempt. A reload that drops
/// the cluster <see cref="Retire"/>s it; its connections are closed when the last attempt that
/// acquired it ends, so in-flight requests finish on the old configuration.
/// </remarks>
internal sealed class Cluster : IDisposable
{
    private readonly ClusterConnections _connections;
    private readonly HttpMessageInvoker? _passthrough;
    private readonly TimeProvider _timeProvider;
    private volatile ClusterState _state;
    private int _active;
    private int _retired;
    private int _disposed;

    public Cluster(ClusterDefinition definition, ClusterHandlerFactory? handlerFactory = null, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _connections = new ClusterConnections(definition, handlerFactory);
        if (definition.IsPassthrough)
        {
            _passthrough = _connections.Create(definition.PassthroughPort is { } port
                ? UpstreamTarget.RequestedHostOnPort(port)
                : UpstreamTarget.Requested);
        }

        _state = CreateState(definition, null);
        Name = definition.Key.ToString();
        ServiceName = definition.Key == ClusterKey.Passthrough ? null : definition.ServiceName;
    }

    public ClusterKey Key => _state.Definition.Key;

    /// <summary>Envoy's cluster name, computed once.</summary>
    public string Name { get; }

    /// <summary>The service name, or <see langword="null"/> for the passthrough cluster.</summary>
    public string? ServiceName { get; private set; }

    public ClusterDefinition Definition => _state.Definition;

    /// <summary>
    /// For resolution NONE (and unknown hosts): the connection pool to the requested host (on the
    /// <c>targetPort</c>, if one is set); <see langword="null"/> for clusters with endpoints.
    /// </summary>
    public HttpMessageInvoker? PassthroughConnections => _passthrough;

    public MeshEndpoint[] Endpoints => _state.Picker.Endpoints;

    /// <summary>
    /// The route's Polly pipeline (today: the route timeout), or <see langword="null"/> when the
    /// route has no policy, so that a request without one pays nothing for it.
    /// </summary>
    public ResiliencePipeline<HttpResponseMessage>? Pipeline => _state.Pipeline;

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>
    /// Picks the endpoint for an attempt and starts it (<see cref="MeshEndpoint.TryStart"/>); the
    /// caller ends it with <see cref="MeshEndpoint.OnEnd"/>. <see langword="null"/> when there is none (Envoy <c>UH</c>).
    /// </summary>
    public MeshEndpoint? StartAttempt()
    {
        while (true)
        {
            var endpoint = _state.Picker.Pick();
            if (endpoint is null || endpoint.TryStart())
            {
                return endpoint;
            }

            // A reload retired it after publishing the state that replaces it: pick again there.
        }
    }

    /// <summary>Whether a changed definition can be applied to this cluster in place (same kind of wire).</summary>
    public bool CanUpdateTo(ClusterDefinition definition) =>
        definition.Key == Key
        && definition.IsPassthrough == Definition.IsPassthrough
        && definition.PassthroughPort == Definition.PassthroughPort;

    /// <summary>
    /// Applies a changed definition (see <see cref="CanUpdateTo"/>), keeping the endpoints that stay
    /// (connections and counters); the others are retired once the new picker is published.
    /// Called by the runtime under its lock: one writer at a time.
    /// </summary>
    public void Update(ClusterDefinition definition)
    {
        var previous = _state;
        _state = CreateState(definition, previous);
        ServiceName = definition.ServiceName;
        RetireDropped(previous.Picker.Endpoints, _state.Picker.Endpoints);
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _passthrough?.Dispose();
            foreach (var endpoint in _state.Picker.Endpoints)
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

    private ClusterState CreateState(ClusterDefinition definition, ClusterState? previous)
    {
        var endpoints = new MeshEndpoint[definition.Endpoints.Count];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var wanted = definition.Endpoints[i];
            MeshEndpoint? kept = null;
            if (previous is not null)
            {
                foreach (var old in previous.Picker.Endpoints)
                {
                    if (old.Definition == wanted && Array.IndexOf(endpoints, old, 0, i) < 0)
                    {
                        kept = old;
                        break;
                    }
                }
            }

            endpoints[i] = kept ?? new MeshEndpoint(wanted, _connections.Create(UpstreamTarget.Endpoint(wanted)));
        }

        // One algorithm today (ROUND_ROBIN, also used for UNSPECIFIED); later policies plug in here.
        return new ClusterState(definition, new RoundRobinPicker(endpoints), CreatePipeline(definition));
    }

    /// <summary>DESIGN.md's per-route pipeline: total timeout now; retries and per-try timeouts go inside it.</summary>
    private ResiliencePipeline<HttpResponseMessage>? CreatePipeline(ClusterDefinition definition)
    {
        if (definition.Timeout is not { } timeout)
        {
            return null;
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _timeProvider }
            .AddTimeout(timeout)
            .Build();
    }

    private sealed record ClusterState(ClusterDefinition Definition, EndpointPicker Picker, ResiliencePipeline<HttpResponseMessage>? Pipeline);
}
