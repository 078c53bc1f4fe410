using MeshClient.Configuration;
using MeshClient.Connections;

namespace MeshClient.Model;

/// <summary>
/// Puts a cluster behind its egress proxy: the service's own proxy, else the mesh-wide one for a
/// MESH_EXTERNAL service whose host is not in <see cref="EgressProxyOptions.NoProxy"/>. The cluster's
/// one endpoint becomes the proxy (STATIC), so that its policies and results are the proxy's and the
/// mesh never resolves the external host; its other settings stay.
/// </summary>
internal static class EgressProxyClusters
{
    public static ClusterDefinition Apply(ClusterDefinition cluster, ExternalServiceOptions service, ServicePortOptions port, MeshOptions options, IMeshCredentialProvider? credentials = null)
    {
        var proxy = service.EgressProxy;
        if (proxy is null && options.EgressProxy is { } meshWide && service.Location == ServiceLocation.MeshExternal && !Bypasses(meshWide.NoProxy, cluster.Key.Host))
        {
            proxy = meshWide;
        }

        if (proxy is null)
        {
            return cluster;
        }

        var settings = ProxySettings.From(proxy, port.TargetPort, options.CredentialsDirectory, credentials);
        var endpoint = settings.Endpoint;

        // A proxy given by name, with the mesh's own name servers: resolved by them as a DNS_ROUND_ROBIN
        // endpoint (Envoy LOGICAL_DNS: each new connection to the latest first address). Without name
        // servers, the system resolver (hosts file included) resolves it when a connection opens.
        var byMeshDns = endpoint.HostName is not null && options.Dns.NameServers.Count > 0;
        return new ClusterDefinition(
            cluster.Key,
            cluster.ServiceName,
            byMeshDns ? ServiceResolution.DnsRoundRobin : ServiceResolution.Static,
            cluster.Protocol,
            cluster.LoadBalancer,
            null,
            [endpoint],
            cluster.Wire with { Proxy = settings },
            cluster.OutlierDetection,
            cluster.LoadBalancing,
            cluster.Limits,
            dnsTargets: byMeshDns ? [endpoint] : null,
            dns: byMeshDns ? cluster.Dns ?? Discovery.DnsSettings.From(options.Dns) : null)
        {
            RetryBudget = cluster.RetryBudget,
        };
    }

    /// <summary>
    /// The passthrough cluster's wire (unknown hosts under ALLOW_ANY): through the mesh-wide proxy, which
    /// then decides per request with its <see cref="EgressProxyOptions.NoProxy"/> (a bypassed host goes
    /// direct); without one, the default wire, on which the environment proxy (<c>HTTP_PROXY</c>,
    /// <c>HTTPS_PROXY</c>, <c>NO_PROXY</c>) applies as it does for a plain <see cref="HttpClient"/>.
    /// </summary>
    public static WireSettings PassthroughWire(MeshOptions? options, IMeshCredentialProvider? credentials = null) =>
        options?.EgressProxy is { } meshWide
            ? WireSettings.Default with { Proxy = ProxySettings.From(meshWide, null, options.CredentialsDirectory, credentials) with { NoProxy = [.. meshWide.NoProxy] } }
            : WireSettings.Default;

    /// <summary><c>NO_PROXY</c> matching: <c>*</c>; <c>example.com</c> (itself and subdomains); <c>.example.com</c> or <c>*.example.com</c> (subdomains).</summary>
    /// <remarks>Runs per request for the passthrough: an index loop, no enumerator.</remarks>
    internal static bool Bypasses(IList<string> noProxy, string host)
    {
        for (var i = 0; i < noProxy.Count; i++)
        {
            var entry = noProxy[i].Trim();
            if (entry == "*")
            {
                return true;
            }

            var subdomainsOnly = entry.StartsWith('.') || entry.StartsWith("*.", StringComparison.Ordinal);
            var domain = entry.TrimStart('*').TrimStart('.');
            if (domain.Length == 0)
            {
                continue;
            }

            if (!subdomainsOnly && string.Equals(host, domain, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (host.Length > domain.Length + 1
                && host.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
                && host[host.Length - domain.Length - 1] == '.')
            {
                return true;
            }
        }

        return false;
    }
}
