using MeshClient.Configuration;
using MeshClient.Runtime;

namespace MeshClient.Discovery;

/// <summary>Reads the DNS counters of the runtime's clusters into <see cref="MeshDnsStatistics"/> rows.</summary>
internal static class DnsStatistics
{
    public static List<MeshDnsStatistics> Read(MeshRuntime runtime)
    {
        var rows = new List<MeshDnsStatistics>();
        foreach (var cluster in runtime.GetClusters())
        {
            var service = cluster.ServiceName ?? cluster.Name;
            if (cluster.Dns is { } dns)
            {
                var addresses = dns.Logical is { } logical ? (logical.Current is null ? 0 : 1) : cluster.Endpoints.Length;
                rows.Add(new MeshDnsStatistics(
                    service,
                    cluster.Name,
                    dns.Logical is null ? ServiceResolution.Dns : ServiceResolution.DnsRoundRobin,
                    dns.Refreshes,
                    dns.FailedLookups,
                    dns.LastSuccess,
                    dns.LastFailure,
                    dns.LastError,
                    addresses)
                {
                    NewConnectionAddress = dns.Logical?.Current?.ToString(),
                });
            }
            else if (cluster.DynamicDns is { } dynamic)
            {
                rows.Add(new MeshDnsStatistics(
                    service,
                    cluster.Name,
                    ServiceResolution.DynamicDns,
                    dynamic.Lookups,
                    dynamic.FailedLookups,
                    dynamic.LastSuccess,
                    dynamic.LastFailure,
                    dynamic.LastError,
                    dynamic.Addresses));
            }
        }

        rows.Sort(static (a, b) => string.CompareOrdinal(a.Cluster, b.Cluster));
        return rows;
    }
}
