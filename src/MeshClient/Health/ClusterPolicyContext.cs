using MeshClient.Discovery;
using MeshClient.Model;
using MeshClient.Runtime;
using Microsoft.Extensions.Logging;

namespace MeshClient.Health;

/// <summary>
/// What a <see cref="IClusterPolicy"/> may see and do on its cluster: read the definition and the
/// endpoints, take endpoints out of the load balancer and back (through the cluster's single
/// writer), and run timers that the cluster disposes with itself.
/// </summary>
internal sealed class ClusterPolicyContext
{
    private readonly Cluster _cluster;

    internal ClusterPolicyContext(Cluster cluster) => _cluster = cluster;

    public ClusterDefinition Definition => _cluster.Definition;

    /// <summary>Envoy's cluster name, for logs and metrics.</summary>
    public string ClusterName => _cluster.Name;

    /// <summary>Every endpoint of the cluster, available or not.</summary>
    public MeshEndpoint[] Endpoints => _cluster.Endpoints;

    /// <summary>The endpoints the load balancer picks from now.</summary>
    public MeshEndpoint[] AvailableEndpoints => _cluster.AvailableEndpoints;

    public TimeProvider TimeProvider => _cluster.TimeProvider;

    /// <summary>The runtime's logger, for the policy's events (ejections and the like).</summary>
    public ILogger Logger => _cluster.Logger;

    /// <summary>
    /// Sets or clears <paramref name="reason"/> on <paramref name="endpoint"/>; when that changes
    /// whether it is available, the cluster rebuilds its picker (serialized with reloads and
    /// every other policy). Returns whether the reason changed.
    /// </summary>
    public bool SetUnavailable(MeshEndpoint endpoint, EndpointUnavailability reason, bool unavailable) =>
        _cluster.SetUnavailable(endpoint, reason, unavailable);

    /// <summary>The cluster's policy of type <typeparamref name="T"/>, or <see langword="null"/> (active health asks for the outlier detector).</summary>
    public T? Policy<T>()
        where T : class, IClusterPolicy =>
        _cluster.FindPolicy<T>();

    /// <summary>A timer on the cluster's <see cref="TimeProvider"/>, disposed with the cluster.</summary>
    public ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _cluster.CreateTimer(callback, state, dueTime, period);
}
