using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;

namespace MeshClient.Model;

/// <summary>The immutable description of one cluster, built from validated options.</summary>
internal sealed class ClusterDefinition
{
    public ClusterDefinition(
        ClusterKey key,
        string serviceName,
        ServiceResolution resolution,
        ServiceProtocol protocol,
        LoadBalancerAlgorithm loadBalancer,
        int? passthroughPort,
        IReadOnlyList<EndpointDefinition> endpoints,
        WireSettings? wire = null,
        OutlierDetectionSettings? outlierDetection = null,
        LoadBalancerSettings? loadBalancing = null,
        ConnectionLimits? limits = null,
        IReadOnlyList<EndpointDefinition>? dnsTargets = null,
        DnsSettings? dns = null,
        string? resolver = null)
    {
        Limits = limits ?? ConnectionLimits.None;
        Resolver = resolver;
        DnsTargets = dnsTargets ?? [];
        Dns = dns;
        OutlierDetection = outlierDetection;
        LoadBalancing = loadBalancing ?? (loadBalancer is LoadBalancerAlgorithm.Unspecified ? LoadBalancerSettings.Default : LoadBalancerSettings.Default with { Algorithm = loadBalancer });
        Wire = wire ?? WireSettings.Default;
        Key = key;
        ServiceName = serviceName;
        Resolution = resolution;
        Protocol = protocol;
        LoadBalancer = loadBalancer;
        PassthroughPort = passthroughPort;
        Endpoints = endpoints;
    }

    public ClusterKey Key { get; }

    public string ServiceName { get; }

    public ServiceResolution Resolution { get; }

    public ServiceProtocol Protocol { get; }

    /// <summary>The algorithm as configured (<see cref="LoadBalancerAlgorithm.Unspecified"/> runs least request).</summary>
    public LoadBalancerAlgorithm LoadBalancer { get; }

    /// <summary>Everything the picker needs: the algorithm to run, its tuning and the consistent-hash key.</summary>
    public LoadBalancerSettings LoadBalancing { get; }

    /// <summary>For resolution NONE: the <c>targetPort</c> that replaces the requested port, if any.</summary>
    public int? PassthroughPort { get; }

    /// <summary>
    /// The endpoints as configured: STATIC's addresses, DNS_ROUND_ROBIN's one logical endpoint; empty
    /// for DNS, whose endpoints are the addresses its <see cref="DnsTargets"/> resolve to.
    /// </summary>
    public IReadOnlyList<EndpointDefinition> Endpoints { get; }

    /// <summary>
    /// For DNS and DNS_ROUND_ROBIN: the names (or addresses) to resolve, each with the port, weight
    /// and locality its addresses get; empty otherwise.
    /// </summary>
    public IReadOnlyList<EndpointDefinition> DnsTargets { get; }

    /// <summary>The DNS settings for the DNS resolutions; <see langword="null"/> for the others.</summary>
    public DnsSettings? Dns { get; }

    /// <summary>The name of the <see cref="IMeshEndpointResolver"/> that replaces DNS, or <see langword="null"/>.</summary>
    public string? Resolver { get; }

    /// <summary>Whether the endpoints come from DNS refreshed in the background (DNS, DNS_ROUND_ROBIN).</summary>
    public bool ResolvesEndpoints => Resolution is ServiceResolution.Dns or ServiceResolution.DnsRoundRobin;

    /// <summary>The settings of the endpoints' connection pools; a change replaces the pools.</summary>
    public WireSettings Wire { get; }

    /// <summary>The admission limits (Istio <c>connectionPool</c> circuit breakers); a change applies in place, keeping the counters.</summary>
    public ConnectionLimits Limits { get; }

    /// <summary>The outlier-detection settings (Istio <c>trafficPolicy.outlierDetection</c>), or <see langword="null"/> for none.</summary>
    public OutlierDetectionSettings? OutlierDetection { get; }

    /// <summary>The cluster's retry budget (<see cref="TrafficPolicyOptions.RetryBudget"/>), or <see langword="null"/> for none.</summary>
    public Resilience.RetryBudgetSettings? RetryBudget { get; init; }

    /// <summary>The active health checks (<see cref="ExternalServiceOptions.HealthCheck"/>), or <see langword="null"/> for none.</summary>
    public HealthCheckSettings? HealthCheck { get; init; }

    public bool IsPassthrough => Resolution == ServiceResolution.None;

    /// <summary>Whether a reload can keep the live cluster as it is.</summary>
    public bool IsEquivalentTo(ClusterDefinition other) =>
        Key == other.Key
        && ServiceName == other.ServiceName
        && Resolution == other.Resolution
        && Protocol == other.Protocol
        && LoadBalancer == other.LoadBalancer
        && LoadBalancing == other.LoadBalancing
        && PassthroughPort == other.PassthroughPort
        && Wire == other.Wire
        && Limits == other.Limits
        && Equals(OutlierDetection, other.OutlierDetection)
        && Equals(RetryBudget, other.RetryBudget)
        && Equals(HealthCheck, other.HealthCheck)
        && Endpoints.SequenceEqual(other.Endpoints)
        && DnsTargets.SequenceEqual(other.DnsTargets)
        && Equals(Dns, other.Dns)
        && string.Equals(Resolver, other.Resolver, StringComparison.OrdinalIgnoreCase);
}
