using MeshClient.Configuration;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>Registry lookup by request host and port, shared by the routing and the endpoint handler.</summary>
internal static class MeshRouter
{
    /// <summary>
    /// Finds the cluster for <paramref name="uri"/> in <paramref name="state"/> and records it in
    /// <paramref name="result"/>; <see langword="null"/> when REGISTRY_ONLY blocks the host.
    /// </summary>
    public static Cluster? Resolve(MeshRuntime runtime, RuntimeState state, Uri uri, MeshResult result)
    {
        var host = uri.IdnHost;
        var port = uri.Port;
        var cluster = state.Clusters.Match(host, port);
        if (cluster is null)
        {
            if (state.OutboundTrafficPolicy == OutboundTrafficPolicy.RegistryOnly)
            {
                result.TargetCluster = null; // reported as BlackHoleCluster
                runtime.OnBlocked(host, port);
                return null;
            }

            cluster = runtime.Passthrough;
        }

        result.TargetCluster = cluster;
        return cluster;
    }

    /// <summary>
    /// Acquires <paramref name="cluster"/> for one attempt. A reload may have retired it since the
    /// lookup; the new state is already published then, so looking again finds its replacement.
    /// Returns <see langword="null"/> when the new state blocks the host. The caller must
    /// <see cref="Cluster.Release"/> the returned cluster.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The runtime was disposed (its service provider was).</exception>
    public static Cluster? Acquire(MeshRuntime runtime, Cluster cluster, Uri uri, MeshResult result)
    {
        while (!cluster.TryAcquire())
        {
            if (runtime.IsDisposed)
            {
                // Every cluster is retired and no state replaces them: fail now rather than look again forever.
                throw new ObjectDisposedException(nameof(MeshRuntime), "The mesh was disposed (its service provider was disposed); no request can be sent through it.");
            }

            var next = Resolve(runtime, runtime.State, uri, result);
            if (next is null)
            {
                return null;
            }

            cluster = next;
        }

        return cluster;
    }
}
