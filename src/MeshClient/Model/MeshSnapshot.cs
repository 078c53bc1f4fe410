using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.Routing;

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

    /// <summary>(host, port) → the virtual host: the routes for requests to that host and port.</summary>
    public HostTable<VirtualHostDefinition> VirtualHosts { get; private init; } = HostTable<VirtualHostDefinition>.Empty;

    /// <summary>See <see cref="MeshOptions.MaxConcurrentMirrors"/>.</summary>
    public int MaxConcurrentMirrors { get; private init; } = MeshDefaults.MaxConcurrentMirrors;

    /// <summary>See <see cref="MeshOptions.MaxMirroredBodyBytes"/>.</summary>
    public int MaxMirroredBodyBytes { get; private init; } = MeshDefaults.MaxMirroredBodyBytes;

    /// <summary>The timeout of the passthrough route (unknown hosts under ALLOW_ANY, resolution NONE without routes).</summary>
    public TimeSpan? PassthroughTimeout { get; private init; }

    /// <summary>Where the passthrough route sends unknown hosts instead of to themselves (<see cref="MeshOptions.PassthroughDestination"/>), or <see langword="null"/>.</summary>
    public Routing.RouteDestination? PassthroughTarget { get; private init; }

    /// <summary>The fallback-to-cache policies by host and port (<see cref="Fallback.MeshFallbackHandler"/>).</summary>
    public HostTable<Fallback.FallbackPolicy> Fallbacks { get; private init; } = HostTable<Fallback.FallbackPolicy>.Empty;

    /// <summary>Builds a snapshot from options that passed validation.</summary>
    public static MeshSnapshot Build(MeshOptions options, IMeshCredentialProvider? credentials = null) => new SnapshotBuilder(options, credentials).Build();

    /// <summary>Builds the clusters (each service's host and port, then the subsets routes use) and the virtual hosts.</summary>
    private sealed class SnapshotBuilder(MeshOptions options, IMeshCredentialProvider? credentials)
    {
        private MeshOptions Mesh => options; // the subset lookup below names its own SubsetOptions 'options'

        private readonly List<ClusterDefinition> _clusters = [];
        private readonly Dictionary<ClusterKey, (ExternalServiceOptions Service, ServicePortOptions Port)> _owners = [];
        private readonly Dictionary<string, ExternalServiceOptions> _exactHosts = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<(string Pattern, ExternalServiceOptions Service)> _wildcardHosts = [];
        private HostTable<ClusterDefinition> _hosts = HostTable<ClusterDefinition>.Empty;
        private readonly (string? Directory, TimeSpan RefreshInterval, IMeshCredentialProvider? Provider) _tlsFiles = (options.CredentialsDirectory, options.CertificateRefreshInterval, credentials);
        private readonly DnsSettings _dns = DnsSettings.From(options.Dns);

        public MeshSnapshot Build()
        {
            var defaultTimeout = DefaultTimeout(options);

            // Istio's MeshConfig defaultHttpRetryPolicy, else its built-in default; the passthrough route has none.
            var defaultRetry = options.DefaultRetryPolicy is { } meshRetry ? Resilience.RetryPolicy.From(meshRetry) : Resilience.RetryPolicy.IstioDefault;
            var entries = new List<(string, int, ClusterDefinition)>();
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
                    if (HostPattern.IsWildcard(host))
                    {
                        _wildcardHosts.Add((host, service));
                    }
                    else
                    {
                        _exactHosts.TryAdd(host, service);
                    }

                    foreach (var port in service.Ports)
                    {
                        var key = new ClusterKey(host, port.Number);
                        if (!_owners.TryAdd(key, (service, port)))
                        {
                            continue; // a duplicate declaration: the first one wins (validation warned)
                        }

                        var cluster = EgressProxyClusters.Apply(BuildCluster(service, port, key, PortTrafficPolicies.For(service.TrafficPolicy, null, port.Number), null, _tlsFiles, _dns, options), service, port, options, credentials);
                        _clusters.Add(cluster);
                        entries.Add((host, port.Number, cluster));
                    }
                }
            }

            _hosts = HostTable<ClusterDefinition>.Build(entries);

            // Then each (host, port)'s routes, which may add the subset clusters they send to.
            var virtualHosts = new List<(string, int, VirtualHostDefinition)>(entries.Count);
            foreach (var (host, port, cluster) in entries)
            {
                var (service, _) = _owners[cluster.Key];
                var routes = RouteCompiler.Compile(service, cluster.Key, defaultTimeout, defaultRetry, Resolve);
                virtualHosts.Add((host, port, new VirtualHostDefinition(service.DisplayName, routes)));
            }

            // Istio's Sidecar outboundTrafficPolicy.egressProxy: the passthrough route's destination (validated).
            RouteDestination? passthroughTarget = null;
            if (options.OutboundTrafficPolicy == OutboundTrafficPolicy.AllowAny && options.PassthroughDestination is { Host: { Length: > 0 } passthroughHost } passthroughDestination)
            {
                var resolved = Resolve(passthroughHost.ToLowerInvariant(), passthroughDestination.Port?.Number, passthroughDestination.Subset, 0);
                passthroughTarget = resolved.Cluster is null ? null : resolved;
            }

            return new MeshSnapshot(
                options.OutboundTrafficPolicy,
                options.FailureMode,
                options.AllowAutoRedirect ? options.MaxAutomaticRedirections : 0,
                _clusters,
                _hosts,
                PassthroughDefinition(options, credentials),
                options.ManageHttpClientTimeout,
                firstPorts)
            {
                RedirectRemovedHeaders = [.. options.RedirectRemovedHeaders],
                VirtualHosts = HostTable<VirtualHostDefinition>.Build(virtualHosts),
                PassthroughTimeout = defaultTimeout,
                PassthroughTarget = passthroughTarget,
                MaxConcurrentMirrors = options.MaxConcurrentMirrors,
                MaxMirroredBodyBytes = options.MaxMirroredBodyBytes,
                Fallbacks = Fallback.FallbackPolicy.BuildTable(options),
            };
        }

        /// <summary>
        /// A route destination's cluster: the service declaring <paramref name="host"/> on the port
        /// (explicit, else the request's when declared, else the service's only port), and the subset.
        /// </summary>
        private RouteDestination Resolve(string host, int? port, string? subset, int requestPort)
        {
            var number = port ?? requestPort;
            var found = _hosts.Match(host, number);
            if (found is null && port is null && FindService(host) is { Ports.Count: 1 } only)
            {
                number = only.Ports[0].Number;
                found = _hosts.Match(host, number);
            }

            if (found is null)
            {
                return new RouteDestination(null, host, 1, null, null, null) { IsUnregisteredHost = true, Port = number };
            }

            if (subset is null)
            {
                return new RouteDestination(found.Key, host, 1, null, null, null) { Port = number };
            }

            var key = found.Key with { Subset = subset };
            if (!_owners.ContainsKey(key))
            {
                var (service, servicePort) = _owners[found.Key];
                SubsetOptions? options = null;
                foreach (var candidate in service.Subsets)
                {
                    if (string.Equals(candidate.Name, subset, StringComparison.Ordinal))
                    {
                        options = candidate;
                        break;
                    }
                }

                if (options is null)
                {
                    return new RouteDestination(null, host, 1, null, null, null) { Port = number, Subset = subset }; // no such subset: "cluster not found"
                }

                _owners[key] = (service, servicePort);
                _clusters.Add(EgressProxyClusters.Apply(BuildCluster(service, servicePort, key, PortTrafficPolicies.For(service.TrafficPolicy, options.TrafficPolicy, servicePort.Number), options.Labels, _tlsFiles, _dns, Mesh), service, servicePort, Mesh, credentials));
            }

            return new RouteDestination(key, host, 1, null, null, null) { Port = number };
        }

        private ExternalServiceOptions? FindService(string host)
        {
            if (_exactHosts.TryGetValue(host, out var service))
            {
                return service;
            }

            ExternalServiceOptions? best = null;
            var bestLength = -1;
            foreach (var (pattern, candidate) in _wildcardHosts)
            {
                if (pattern.Length > bestLength && HostPattern.Matches(pattern, host))
                {
                    (best, bestLength) = (candidate, pattern.Length);
                }
            }

            return best;
        }
    }

    /// <summary>A subset's policy over the service's: each component the subset sets replaces the service's whole (Istio).</summary>
    internal static TrafficPolicyOptions Merge(TrafficPolicyOptions service, TrafficPolicyOptions? subset)
    {
        if (subset is null)
        {
            return service;
        }

        var merged = new TrafficPolicyOptions
        {
            LoadBalancer = IsSet(subset.LoadBalancer) ? subset.LoadBalancer : service.LoadBalancer,
            OutlierDetection = subset.OutlierDetection ?? service.OutlierDetection,
            ConnectionPool = subset.ConnectionPool ?? service.ConnectionPool,
            Tls = subset.Tls ?? service.Tls,
            RetryBudget = subset.RetryBudget ?? service.RetryBudget,
            ProxyProtocol = subset.ProxyProtocol ?? service.ProxyProtocol,
        };
        foreach (var level in subset.PortLevelSettings.Count > 0 ? subset.PortLevelSettings : service.PortLevelSettings)
        {
            merged.PortLevelSettings.Add(level);
        }

        return merged;
    }

    private static bool IsSet(LoadBalancerOptions? options) =>
        options is not null && (options.Simple != LoadBalancerAlgorithm.Unspecified || options.ConsistentHash is not null || options.LocalityLbSetting is not null);

    /// <summary>The passthrough cluster's definition.</summary>
    internal static ClusterDefinition PassthroughDefinition(MeshOptions? options = null, IMeshCredentialProvider? credentials = null) =>
        new(ClusterKey.Passthrough, ClusterKey.Passthrough.Host, ServiceResolution.None, ServiceProtocol.Unspecified, LoadBalancerAlgorithm.Unspecified, null, [], EgressProxyClusters.PassthroughWire(options, credentials));

    /// <summary>The timeout of a route that sets none: the mesh's default when it owns mesh clients' timeouts.</summary>
    private static TimeSpan? DefaultTimeout(MeshOptions options) =>
        options.ManageHttpClientTimeout ? options.DefaultTimeout : null;

    private static ClusterDefinition BuildCluster(ExternalServiceOptions service, ServicePortOptions port, ClusterKey key, TrafficPolicyOptions policy, IDictionary<string, string>? labels, (string? Directory, TimeSpan RefreshInterval, IMeshCredentialProvider? Provider) tlsFiles, DnsSettings dns, MeshOptions mesh)
    {
        var tls = TlsSettings.For(policy, service.SubjectAltNames, port.Number, tlsFiles.Directory, tlsFiles.RefreshInterval, tlsFiles.Provider);
        var endpoints = new List<EndpointDefinition>(service.Endpoints.Count);
        var sources = new List<ServiceEndpointOptions?>(service.Endpoints.Count);
        var locality = LocalityAssignment.For(mesh, policy);
        List<EndpointDefinition>? targets = null;
        switch (service.Resolution)
        {
            case ServiceResolution.Static:
                foreach (var endpoint in service.Endpoints)
                {
                    if (labels is not null && !HasLabels(endpoint, labels))
                    {
                        continue; // not in the subset
                    }

                    endpoints.Add(EndpointDefinition.IsUnixSocket(endpoint.Address)
                        ? EndpointDefinition.UnixSocket(endpoint.Address!, Math.Max(endpoint.Weight, 1), endpoint.Locality)
                        : new EndpointDefinition(IPAddress.Parse(endpoint.Address!), EndpointPort(port, endpoint), Math.Max(endpoint.Weight, 1), endpoint.Locality));
                    sources.Add(endpoint);
                }

                endpoints = locality?.Apply(endpoints, sources) ?? endpoints;

                break;
            case ServiceResolution.Dns or ServiceResolution.DnsRoundRobin:
                // Each endpoint's name (or address) is resolved; without endpoints, the host itself (Istio CONV).
                targets = [];
                foreach (var endpoint in service.Endpoints)
                {
                    if (labels is not null && !HasLabels(endpoint, labels))
                    {
                        continue; // not in the subset
                    }

                    targets.Add(Target(endpoint.Address!, EndpointPort(port, endpoint), Math.Max(endpoint.Weight, 1), endpoint.Locality));
                    sources.Add(endpoint);
                }

                if (targets.Count == 0 && (labels is null || service.Endpoints.Count == 0))
                {
                    targets.Add(Target(key.Host, port.TargetPort ?? port.Number, 1, null));
                    sources.Add(null);
                }

                targets = locality?.Apply(targets, sources) ?? targets;

                if (service.Resolution == ServiceResolution.DnsRoundRobin && targets.Count > 0)
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
            policy.LoadBalancer?.Simple ?? LoadBalancerAlgorithm.Unspecified,
            service.Resolution is ServiceResolution.None or ServiceResolution.DynamicDns ? port.TargetPort : null,
            endpoints,
            wire: tls is null ? WireSettings.From(policy.ConnectionPool, policy.ProxyProtocol) : WireSettings.From(policy.ConnectionPool, policy.ProxyProtocol) with { Tls = tls },
            outlierDetection: OutlierDetectionSettings.From(policy.OutlierDetection),
            loadBalancing: LoadBalancerSettings.From(policy.LoadBalancer),
            limits: ConnectionLimits.From(policy.ConnectionPool),
            dnsTargets: targets,
            dns: service.Resolution is ServiceResolution.Dns or ServiceResolution.DnsRoundRobin or ServiceResolution.DynamicDns ? dns : null,
            resolver: service.Resolver)
        {
            RetryBudget = Resilience.RetryBudgetSettings.From(policy.RetryBudget),
            HealthCheck = HealthCheckSettings.From(service.HealthCheck, key.Host, key.Port, port.Protocol),
        };
    }

    /// <summary>Whether <paramref name="endpoint"/> carries every label of a subset, with the same value.</summary>
    private static bool HasLabels(ServiceEndpointOptions endpoint, IDictionary<string, string> labels)
    {
        foreach (var (name, value) in labels)
        {
            if (!endpoint.Labels.TryGetValue(name, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The endpoint's port map (by port name) beats targetPort, which beats the service port (Istio CONV).</summary>
    private static int EndpointPort(ServicePortOptions port, ServiceEndpointOptions endpoint) =>
        port.Name is not null && endpoint.Ports.TryGetValue(port.Name, out var mapped) ? mapped : port.TargetPort ?? port.Number;

    private static EndpointDefinition Target(string address, int port, int weight, string? locality) =>
        IPAddress.TryParse(address, out var ip)
            ? new EndpointDefinition(ip, port, weight, locality)
            : new EndpointDefinition(address, port, weight, locality);
}
