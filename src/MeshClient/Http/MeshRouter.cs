using MeshClient.Configuration;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>Registry lookup by request host and port, shared by the routing and the endpoint handler.</summary>
internal static class MeshRouter
{
    /// <summary>
    /// Finds and acquires the cluster for <paramref name="uri"/>; <see langword="null"/> when the host
    /// is blocked by REGISTRY_ONLY. The caller must <see cref="Cluster.Release"/> the cluster.
    /// </summary>
    public static Cluster? Acquire(MeshRuntime runtime, Uri uri, MeshResult result, out RuntimeState state)
    {
        var host = uri.IdnHost;
        var port = uri.Port;
        while (true)
        {
            state = runtime.State;
            var cluster = state.Routes.Match(host, port);
            if (cluster is null)
            {
                if (state.OutboundTrafficPolicy == OutboundTrafficPolicy.RegistryOnly)
                {
                    result.Cluster = "BlackHoleCluster";
                    runtime.OnBlocked(host, port);
                    return null;
                }

                cluster = runtime.Passthrough;
            }

            // A reload may retire the cluster between the lookup and here; the new state is already
            // published, so looking again finds its replacement.
            if (cluster.TryAcquire())
            {
                result.Route = cluster;
                result.Cluster = cluster.Name;
                result.Service = cluster.ServiceName;
                return cluster;
            }
        }
    }
}
