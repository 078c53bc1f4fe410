using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Routing;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>Route selection by request host, port and the route matches, shared by the routing and the endpoint handler.</summary>
internal static class MeshRouter
{
    /// <summary>
    /// The route for <paramref name="request"/> in <paramref name="state"/>: the first route of the
    /// host's virtual host whose match holds (<paramref name="matched"/> is the block that held), or
    /// the passthrough route for an unknown host under ALLOW_ANY. <see langword="null"/> when
    /// REGISTRY_ONLY blocks the host (<paramref name="blocked"/>) or no route matched.
    /// </summary>
    public static MeshRoute? Route(MeshRuntime runtime, RuntimeState state, HttpRequestMessage request, Uri uri, out RouteMatch? matched, out bool blocked)
    {
        matched = null;
        blocked = false;
        var host = uri.IdnHost;
        var port = uri.Port;
        var virtualHost = state.VirtualHosts.Match(host, port);
        if (virtualHost is null)
        {
            if (state.OutboundTrafficPolicy == OutboundTrafficPolicy.RegistryOnly)
            {
                blocked = true;
                runtime.OnBlocked(host, port);
                return null;
            }

            return state.Passthrough;
        }

        return virtualHost.Match(request, uri, out matched);
    }

    /// <summary>
    /// Acquires <paramref name="cluster"/> for one attempt. A reload may have retired it since the
    /// routing decision; the new state is already published then, so its replacement (the live cluster
    /// with the same key) is used and recorded in <paramref name="result"/>. Returns
    /// <see langword="null"/> when the new state has no such cluster. The caller must
    /// <see cref="Cluster.Release"/> the returned cluster.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The runtime was disposed (its service provider was).</exception>
    public static Cluster? Acquire(MeshRuntime runtime, Cluster cluster, MeshResult result)
    {
        while (!cluster.TryAcquire())
        {
            if (runtime.IsDisposed)
            {
                // Every cluster is retired and no state replaces them: fail now rather than look again forever.
                throw new ObjectDisposedException(nameof(MeshRuntime), "The mesh was disposed (its service provider was disposed); no request can be sent through it.");
            }

            var next = cluster.Key == ClusterKey.Passthrough ? runtime.Passthrough : runtime.FindCluster(cluster.Key);
            if (next is null || ReferenceEquals(next, cluster))
            {
                return null;
            }

            result.TargetCluster = next;
            cluster = next;
        }

        return cluster;
    }
}
