namespace MeshClient.Runtime;

/// <summary>
/// Read-only view of the live endpoint counters, for dashboards and diagnostics. Resolve it from
/// the service provider. The counters survive handler rotation and reloads that keep the endpoint.
/// </summary>
public sealed class MeshStatistics
{
    private readonly MeshRuntime _runtime;

    internal MeshStatistics(MeshRuntime runtime) => _runtime = runtime;

    /// <summary>Gets the counters of every endpoint of every cluster, ordered by cluster then endpoint.</summary>
    /// <returns>A snapshot of the counters.</returns>
    public IReadOnlyList<MeshEndpointStatistics> GetEndpointStatistics()
    {
        var rows = new List<MeshEndpointStatistics>();
        foreach (var cluster in _runtime.GetClusters())
        {
            foreach (var endpoint in cluster.Endpoints)
            {
                var health = endpoint.Health;
                var ejected = health.IsEjected;
                rows.Add(new MeshEndpointStatistics(
                    cluster.ServiceName ?? cluster.Name,
                    cluster.Name,
                    endpoint.Authority,
                    endpoint.Weight,
                    endpoint.Requests,
                    endpoint.Successes,
                    endpoint.Failures,
                    endpoint.ClusterInFlight)
                {
                    IsEjected = ejected,
                    EjectedUntil = ejected ? EjectedUntil(cluster.TimeProvider, health) : null,
                    Ejections = health.Ejections,
                    EjectionReason = ejected ? (MeshEjectionReason)health.LastEjectionReason : null, // same members, same order
                });
            }
        }

        rows.Sort(static (a, b) =>
        {
            var byCluster = string.CompareOrdinal(a.Cluster, b.Cluster);
            return byCluster != 0 ? byCluster : string.CompareOrdinal(a.Endpoint, b.Endpoint);
        });
        return rows;
    }

    /// <summary>The wall-clock time at which the current ejection's time is up, from the cluster's clock.</summary>
    private static DateTimeOffset EjectedUntil(TimeProvider time, Health.EndpointHealth health) =>
        time.GetUtcNow() + (health.LastEjectionDuration - time.GetElapsedTime(health.LastEjectionTimestamp));

    /// <summary>Gets the DNS counters of every cluster resolved by DNS (DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS), ordered by cluster.</summary>
    /// <returns>A snapshot of the counters; empty when no cluster is resolved by DNS.</returns>
    public IReadOnlyList<MeshDnsStatistics> GetDnsStatistics() => Discovery.DnsStatistics.Read(_runtime);

    /// <summary>Gets the connection-pool counters of every cluster (requests in flight and waiting, overflows), ordered by cluster.</summary>
    /// <returns>A snapshot of the counters.</returns>
    public IReadOnlyList<MeshClusterStatistics> GetClusterStatistics()
    {
        var rows = new List<MeshClusterStatistics>();
        foreach (var cluster in _runtime.GetClusters())
        {
            var admission = cluster.Admission;
            int requests = admission.ActiveRequests, pending = admission.PendingRequests, connections = admission.ActiveConnections;
            var overflows = admission.Overflows;
            foreach (var endpoint in cluster.Endpoints)
            {
                var own = endpoint.Admission;
                requests += own.ActiveRequests;
                pending += own.PendingRequests;
                connections += own.ActiveConnections;
                overflows += own.Overflows;
            }

            rows.Add(new MeshClusterStatistics(
                cluster.ServiceName ?? cluster.Name,
                cluster.Name,
                requests,
                pending,
                connections,
                admission.ActiveRetries,
                overflows,
                admission.RetryOverflows));
        }

        rows.Sort(static (a, b) => string.CompareOrdinal(a.Cluster, b.Cluster));
        return rows;
    }
}
