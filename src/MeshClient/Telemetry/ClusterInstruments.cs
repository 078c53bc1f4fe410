using System.Diagnostics.Metrics;
using MeshClient.Runtime;

namespace MeshClient.Telemetry;

/// <summary>
/// The mesh's internals as observable instruments: they read the counters the clusters keep anyway
/// (connection-pool admission, retry budget, DNS discovery, endpoints, mirrors) when a collector asks,
/// so they cost nothing on the request path.
/// </summary>
internal static class ClusterInstruments
{
    public static void Create(Meter meter, MeshRuntime runtime, MeshTelemetry telemetry)
    {
        meter.CreateObservableGauge("meshclient.cluster.endpoints.healthy", () => PerCluster(runtime, static c => c.AvailableEndpoints.Length), "{endpoint}", "Endpoints in load balancing (not ejected, not failing health checks).");
        meter.CreateObservableGauge("meshclient.cluster.endpoints.ejected", () => PerCluster(runtime, static c => c.Endpoints.Length - c.AvailableEndpoints.Length), "{endpoint}", "Endpoints out of load balancing (ejected or failing health checks).");
        meter.CreateObservableUpDownCounter("meshclient.cluster.requests.active", () => Active(runtime, telemetry.Settings.EndpointLabels), "{request}", "Attempts in flight, per cluster (per endpoint with EndpointLabels).");
        meter.CreateObservableCounter("meshclient.cluster.overflows", () => PerCluster(runtime, static c => Overflows(c)), "{request}", "Requests a connection-pool limit refused (503 UO).");
        meter.CreateObservableCounter("meshclient.cluster.retry.overflows", () => PerCluster(runtime, static c => c.Admission.RetryOverflows + c.RetryBudget.Overflows), "{retry}", "Retries not made because maxRetries (or the retry budget's concurrency) was reached.");
        meter.CreateObservableCounter("meshclient.cluster.retry_budget.exhausted", () => PerCluster(runtime, static c => c.RetryBudget.Exhausted), "{retry}", "Retries not made because the retry budget was spent.");
        meter.CreateObservableCounter("meshclient.cluster.outlier.ejections", () => PerCluster(runtime, static c => Ejections(c)), "{ejection}", "Outlier-detection ejections of the cluster's current endpoints.");
        meter.CreateObservableCounter("meshclient.dns.refreshes", () => PerDnsCluster(runtime, static d => d.Refreshes), "{refresh}", "DNS refreshes of DNS and DNS_ROUND_ROBIN clusters, host lookups of DYNAMIC_DNS clusters.");
        meter.CreateObservableCounter("meshclient.dns.failures", () => PerDnsCluster(runtime, static d => d.FailedLookups), "{lookup}", "Failed DNS lookups (the last good addresses stayed).");
        meter.CreateObservableGauge("meshclient.dns.last_success.age", () => SinceDnsSuccess(runtime), "s", "Seconds since the last successful DNS refresh of the cluster: growing, the cluster serves its last good addresses.");
        meter.CreateObservableCounter("meshclient.mirror.requests", () => Mirrors(runtime), "{request}", "Mirrored copies, by result (sent, failed, dropped).");
    }

    private static List<Measurement<long>> PerCluster(MeshRuntime runtime, Func<Cluster, long> read)
    {
        var clusters = runtime.GetClusters();
        var measurements = new List<Measurement<long>>(clusters.Count);
        foreach (var cluster in clusters)
        {
            measurements.Add(new(read(cluster), new KeyValuePair<string, object?>(MeshLabels.Cluster, cluster.Name)));
        }

        return measurements;
    }

    private static List<Measurement<long>> PerDnsCluster(MeshRuntime runtime, Func<MeshDnsStatistics, long> read)
    {
        var rows = Discovery.DnsStatistics.Read(runtime);
        var measurements = new List<Measurement<long>>(rows.Count);
        foreach (var row in rows)
        {
            measurements.Add(new(read(row), new KeyValuePair<string, object?>(MeshLabels.Cluster, row.Cluster)));
        }

        return measurements;
    }

    private static List<Measurement<double>> SinceDnsSuccess(MeshRuntime runtime)
    {
        var measurements = new List<Measurement<double>>();
        foreach (var cluster in runtime.GetClusters())
        {
            if ((cluster.Dns?.LastSuccess ?? cluster.DynamicDns?.LastSuccess) is { } success)
            {
                var age = (cluster.TimeProvider.GetUtcNow() - success).TotalSeconds;
                measurements.Add(new(Math.Max(age, 0), new KeyValuePair<string, object?>(MeshLabels.Cluster, cluster.Name)));
            }
        }

        return measurements;
    }

    private static List<Measurement<long>> Active(MeshRuntime runtime, bool perEndpoint)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var cluster in runtime.GetClusters())
        {
            long sum = 0;
            foreach (var endpoint in cluster.Endpoints)
            {
                if (perEndpoint)
                {
                    measurements.Add(new(endpoint.ClusterInFlight, new KeyValuePair<string, object?>(MeshLabels.Cluster, cluster.Name), new KeyValuePair<string, object?>(MeshLabels.Endpoint, endpoint.Authority)));
                }

                sum += endpoint.ClusterInFlight;
            }

            if (!perEndpoint)
            {
                measurements.Add(new(sum, new KeyValuePair<string, object?>(MeshLabels.Cluster, cluster.Name)));
            }
        }

        return measurements;
    }

    private static long Overflows(Cluster cluster)
    {
        var overflows = cluster.Admission.Overflows;
        foreach (var endpoint in cluster.Endpoints)
        {
            overflows += endpoint.Admission.Overflows;
        }

        return overflows;
    }

    private static long Ejections(Cluster cluster)
    {
        long ejections = 0;
        foreach (var endpoint in cluster.Endpoints)
        {
            ejections += endpoint.Health.Ejections;
        }

        return ejections;
    }

    private static List<Measurement<long>> Mirrors(MeshRuntime runtime)
    {
        var mirrors = runtime.Mirrors;
        return
        [
            new(mirrors.Sent, new KeyValuePair<string, object?>("result", "sent")),
            new(mirrors.Failed, new KeyValuePair<string, object?>("result", "failed")),
            new(mirrors.Dropped, new KeyValuePair<string, object?>("result", "dropped")),
        ];
    }
}
