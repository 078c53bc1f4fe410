using System.Diagnostics.CodeAnalysis;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Runtime;

/// <summary>
/// Everything mutable about one cluster, owned by the singleton <see cref="MeshRuntime"/>: the
/// connections, the current picker over the endpoints and the endpoint counters. A reload that
/// keeps the cluster swaps the picker and keeps the connections and the counters of endpoints
/// that stay.
/// </summary>
/// <remarks>
/// Lifetime: requests <see cref="TryAcquire"/> the cluster for their duration. A reload that drops
/// the cluster <see cref="Retire"/>s it; the connections are disposed when the last request that
/// acquired it ends, so in-flight requests finish on the old configuration.
/// </remarks>
internal sealed class Cluster : IDisposable
{
    private readonly ClusterConnections _connections;
    private readonly string? _exactHost;
    private readonly string? _exactHostWithPort;
    private volatile ClusterState _state;
    private int _active;
    private int _retired;
    private int _disposed;

    public Cluster(ClusterDefinition definition, ClusterHandlerFactory? handlerFactory = null)
    {
        _connections = new ClusterConnections(definition, handlerFactory);
        _state = CreateState(definition, null);
        Name = definition.Key.ToString();
        if (definition.Key != ClusterKey.Passthrough && !HostPattern.IsWildcard(definition.Key.Host))
        {
            _exactHost = definition.Key.Host;
            _exactHostWithPort = FormattableString.Invariant($"{definition.Key.Host}:{definition.Key.Port}");
        }
        ServiceName = definition.Key == ClusterKey.Passthrough ? null : definition.ServiceName;
    }

    public ClusterKey Key => _state.Definition.Key;

    /// <summary>Envoy's cluster name, computed once.</summary>
    public string Name { get; }

    /// <summary>The service name, or <see langword="null"/> for the passthrough cluster.</summary>
    public string? ServiceName { get; private set; }

    public ClusterDefinition Definition => _state.Definition;

    public HttpMessageInvoker Invoker => _connections.Invoker;

    public MeshEndpoint[] Endpoints => _state.Picker.Endpoints;

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    public MeshEndpoint? Pick() => _state.Picker.Pick();

    /// <summary>
    /// The Host header for a request to this cluster: the declared host (with the port when it is
    /// not the scheme's default), precomputed for exact hosts; the request's authority for wildcards.
    /// </summary>
    public string HostHeader(Uri original)
    {
        if (_exactHost is not null && original.Port == Key.Port)
        {
            return original.IsDefaultPort ? _exactHost : _exactHostWithPort!;
        }

        return original.Authority;
    }

    /// <summary>
    /// For resolution NONE with a <c>targetPort</c> that differs from the requested port: the URI
    /// with that port and the Host header that keeps the requested authority (Envoy's ORIGINAL_DST
    /// upstream port override). Otherwise <see langword="false"/>: send untouched.
    /// </summary>
    public bool TryOverridePassthroughPort(Uri original, [NotNullWhen(true)] out Uri? target, [NotNullWhen(true)] out string? host)
    {
        if (Definition.PassthroughPort is { } port && port != original.Port)
        {
            target = new UriBuilder(original) { Port = port }.Uri;
            host = original.Authority;
            return true;
        }

        target = null;
        host = null;
        return false;
    }

    /// <summary>Applies a changed definition for the same key, keeping connections and the counters of endpoints that stay.</summary>
    public void Update(ClusterDefinition definition)
    {
        _state = CreateState(definition, _state);
        ServiceName = definition.ServiceName;
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
        Volatile.Write(ref _retired, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connections.Dispose();
        }
    }

    private static ClusterState CreateState(ClusterDefinition definition, ClusterState? previous)
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
                    if (old.Definition == wanted)
                    {
                        kept = old;
                        break;
                    }
                }
            }

            endpoints[i] = kept ?? new MeshEndpoint(wanted);
        }

        // One algorithm today (ROUND_ROBIN, also used for UNSPECIFIED); later policies plug in here.
        return new ClusterState(definition, new RoundRobinPicker(endpoints));
    }

    private sealed record ClusterState(ClusterDefinition Definition, EndpointPicker Picker);
}
