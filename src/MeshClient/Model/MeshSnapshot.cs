using System.Net;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;

namespace MeshClient.Model;

/// <summary>
/// The immutable result of one validated configuration: mesh-wide settings, the clusters and the
/// host table that maps a request's host and port to a cluster.
/// </summary>
internal sealed class MeshSnapshot
{
    private MeshSnapshot(
        OutboundTrafficPolicy outboundTrafficPolicy,
        MeshFailureMode failureMode,
        int maxRedirects,
        IReadOnlyList<ClusterDefinition> clusters,
        HostTable<ClusterDefinition> hosts,
        ClusterDefinition passthrough,
        bool manageHttpClientTimeout,
        IReadOnlyDictionary<string, (int Number, ServiceProtocol Protocol)> firstPorts)
    {
        Passthrough = passthrough;
        ManageHttpClientTimeout = manageHttpClientTimeout;
        FirstPorts = firstPorts;
        MaxRedirects = maxRedirects;
        OutboundTrafficPolicy = outboundTrafficPolicy;
        FailureMode = failureMode;
        Clusters = clusters;
        Hosts = hosts;
    }

    public OutboundTrafficPolicy OutboundTrafficPolicy { get; }

    public MeshFailureMode FailureMode { get; }

    /// <summary>How many redirects a request follows; 0 when <see cref="MeshOptions.AllowAutoRedirect"/> is off.</summary>
    public int MaxRedirects { get; }

    public IReadOnlyList<ClusterDefinition> Clusters { get; }

    /// <summary>Istio's <c>PassthroughCluster</c>: unknown hosts under ALLOW_ANY.</summary>
    public ClusterDefinition Passthrough { get; }

    /// <summary>The headers removed on a redirect to another host, besides <c>Authorization</c> (<see cref="MeshOptions.RedirectRemovedHeaders"/>).</summary>
    public string[] RedirectRemovedHeaders { get; private init; } = [];

    /// <summary>Whether mesh clients' default <see cref="HttpClient.Timeout"/> is lifted (see <see cref="MeshOptions.ManageHttpClientTimeout"/>).</summary>
    public bool ManageHttpClientTimeout { get; }

    /// <summary>(host, port) → cluster, with Istio's first-declaration-wins rule for duplicates.</summary>
    public HostTable<ClusterDefinition> Hosts { get; }

    /// <summary>
    /// The first port of each named service (the first service with a port, for a name used twice), for
    /// the base address of its named client: read from the snapshot, client creation never waits for a reload.
    /// </summary>
    public IReadOnlyDictionary<string, (int Number, ServiceProtocol Protocol)> FirstPorts { get; }

    /// <summary>Builds a snapshot from options that passed validation.</summary>
    public static MeshSnapshot Build(MeshOptions options)
    {
        var clusters = new List<ClusterDefinition>();
        var seen = new HashSet<ClusterKey>();
        var routes = new List<(string, int, ClusterDefinition)>();
        var firstPorts = new Dictionary<string, (int Number, ServiceProtocol Protocol)>(StringComparer.Ordinal);
        DnsSettings? dns = null;
        foreach (var service in options.ExternalServices)
        {
            if (service.Name is { } name && service.Ports.Count > 0)
            {
                firstPorts.TryAdd(name, (service.Ports[0].Number, service.Ports[0].Protocol));
            }

            foreach (var rawHost in service.Hosts)
            {
                var host = rawHost.ToLowerInvariant();
                foreach (var port in service.Ports)
                {
                    var key = new ClusterKey(host, port.Number);
                    if (!seen.Add(key))
                    {
                        continue; // a duplicate declaration: the first one wins (validation warned)
                    }

                    var cluster = BuildCluster(service, port, key, DefaultTimeout(options), dns ??= DnsSettings.From(options.Dns));
                    clusters.Add(cluster);
                    routes.Add((host, port.Number, cluster));
                }
            }
        }

        return new MeshSnapshot(
            options.OutboundTrafficPolicy,
            options.FailureMode,
            options.AllowAutoRedirect ? options.MaxAutomaticRedirections : 0,
            clusters,
            HostTable<ClusterDefinition>.Build(routes),
            PassthroughDefinition(DefaultTimeout(options)),
            options.ManageHttpClientTimeout,
            firstPorts)
        {
            RedirectRemovedHeaders = [.. options.RedirectRemovedHeaders],
        };
    }

    /// <summary>The passthrough cluster's definition under <paramref name="timeout"/>.</summary>
    internal static ClusterDefinition PassthroughDefinition(TimeSpan? timeout) =>
        new(ClusterKey.Passthrough, ClusterKey.Passthrough.Host, ServiceResolution.None, ServiceProtocol.Unspecified, LoadBalancerAlgorithm.Unspecified, null, [], timeout);

    /// <summary>The timeout of a route that sets none: the mesh's default when it owns mesh clients' timeouts.</summary>
    private static TimeSpan? DefaultTimeout(MeshOptions options) =>
        options.ManageHttpClientTimeout ? options.DefaultTimeout : null;

    private static ClusterDefinition BuildCluster(ExternalServiceOptions service, ServicePortOptions port, ClusterKey key, TimeSpan? defaultTimeout, DnsSettings dns)
    {
        var endpoints = new List<EndpointDefinition>(service.Endpoints.Count);
        List<EndpointDefinition>? targets = null;
        switch (service.Resolution)
        {
            case ServiceResolution.Static:
                foreach (var endpoint in service.Endpoints)
                {
                    endpoints.Add(new EndpointDefinition(IPAddress.Parse(endpoint.Address!), EndpointPort(port, endpoint), Math.Max(endpoint.Weight, 1), endpoint.Locality));
                }

                break;
            case ServiceResolution.Dns or ServiceResolution.DnsRoundRobin:
                // Each endpoint's name (or address) is resolved; without endpoints, the host itself (Istio CONV).
                targets = [];
                foreach (var endpoint in service.Endpoints)
                {
                    targets.Add(Target(endpoint.Address!, EndpointPort(port, endpoint), Math.Max(endpoint.Weight, 1), endpoint.Locality));
                }

                if (targets.Count == 0)
                {
                    targets.Add(Target(key.Host, port.TargetPort ?? port.Number, 1, null));
                }

                if (service.Resolution == ServiceResolution.DnsRoundRobin)
                {
                    endpoints.Add(targets[0]); // one logical endpoint, its connections to the latest first address
                }

                break;
        }

        return new ClusterDefinition(
            key,
            service.DisplayName,
            service.Resolution,
            port.Protocol,
            service.TrafficPolicy?.LoadBalancer?.Simple ?? LoadBalancerAlgorithm.Unspecified,
            service.Resolution is ServiceResolution.None or ServiceResolution.DynamicDns ? port.TargetPort : null,
            endpoints,
            service.Route?.Timeout ?? defaultTimeout,
            outlierDetection: OutlierDetectionSettings.From(service.TrafficPolicy?.OutlierDetection),
            loadBalancing: LoadBalancerSettings.From(service.TrafficPolicy?.LoadBalancer),
            dnsTargets: targets,
            dns: service.Resolution is ServiceResolution.Dns or ServiceResolution.DnsRoundRobin or ServiceResolution.DynamicDns ? dns : null,
            resolver: service.Resolver);
    }

    /// <summary>The endpoint's port map (by port name) beats targetPort, which beats the service port (Istio CONV).</summary>
    private static int EndpointPort(ServicePortOptions port, ServiceEndpointOptions endpoint) =>
        port.Name is not null && endpoint.Ports.TryGetValue(port.Name, out var mapped) ? mapped : port.TargetPort ?? port.Number;

    private static EndpointDefinition Target(string address, int port, int weight, string? locality) =>
        IPAddress.TryParse(address, out var ip)
            ? new EndpointDefinition(ip, port, weight, locality)
            : new EndpointDefinition(address, port, weight, locality);
}
