using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
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

                    var tls = TlsSettings.For(service, port.Number, options.CredentialsDirectory, options.CertificateRefreshInterval);
                    var cluster = BuildCluster(service, port, key, DefaultTimeout(options), tls);
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

    private static ClusterDefinition BuildCluster(ExternalServiceOptions service, ServicePortOptions port, ClusterKey key, TimeSpan? defaultTimeout, TlsSettings? tls)
    {
        var endpoints = new List<EndpointDefinition>(service.Endpoints.Count);
        if (service.Resolution == ServiceResolution.Static)
        {
            foreach (var endpoint in service.Endpoints)
            {
                // Endpoint port map (by port name) beats targetPort, which beats the service port (Istio CONV).
                var number = port.Name is not null && endpoint.Ports.TryGetValue(port.Name, out var mapped)
                    ? mapped
                    : port.TargetPort ?? port.Number;
                endpoints.Add(new EndpointDefinition(IPAddress.Parse(endpoint.Address!), number, Math.Max(endpoint.Weight, 1), endpoint.Locality));
            }
        }

        return new ClusterDefinition(
            key,
            service.DisplayName,
            service.Resolution,
            port.Protocol,
            service.TrafficPolicy?.LoadBalancer?.Simple ?? LoadBalancerAlgorithm.Unspecified,
            service.Resolution == ServiceResolution.None ? port.TargetPort : null,
            endpoints,
            service.Route?.Timeout ?? defaultTimeout,
            wire: tls is null ? null : WireSettings.Default with { Tls = tls },
            outlierDetection: OutlierDetectionSettings.From(service.TrafficPolicy?.OutlierDetection),
            loadBalancing: LoadBalancerSettings.From(service.TrafficPolicy?.LoadBalancer));
    }
}
