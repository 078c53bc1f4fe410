using MeshClient.Model;
using MeshClient.Runtime;

namespace MeshClient.Telemetry;

/// <summary>Istio's destination labels of a request that a route sent to another service's cluster (an egress gateway).</summary>
internal sealed partial class MeshTelemetry
{
    private MeshRuntime? _runtime;

    /// <summary>
    /// The destination labels of a request that ended on <paramref name="cluster"/>: the cluster's own, unless
    /// the host the application asked for (<see cref="MeshResult.DestinationService"/>) is not one of the
    /// cluster's — a route sent it to another service, such as an egress gateway. Then, as issue [egress] asks
    /// and as the gateway itself would report it, <c>destination_service</c>, <c>destination_service_name</c>
    /// and <c>destination_port</c> name the requested service (its declared host: <c>*.example.com</c> for a
    /// wildcard, so the number of series stays bounded), while the span's <c>meshclient.cluster</c> and the
    /// attempt metrics name the upstream.
    /// </summary>
    private ClusterLabels DestinationOf(MeshResult result, Cluster cluster)
    {
        var labels = MeshLabels.For(cluster);
        if (cluster.ServiceName is null || result.RequestUri is not { } uri)
        {
            return labels;
        }

        var host = uri.IdnHost;
        if (HostPattern.Matches(cluster.Key.Host, host))
        {
            return labels;
        }

        return Volatile.Read(ref _runtime)?.State.Snapshot.Hosts.Match(host, uri.Port) is { } requested
            ? labels.RoutedFrom(requested)
            : labels;
    }
}
