using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshClient.Runtime;

/// <summary>What every cluster of one runtime shares: the clock, the wire factory, the picker factory, the policies and the shared endpoint pools.</summary>
internal sealed class ClusterServices
{
    public ClusterServices(
        TimeProvider? timeProvider = null,
        ClusterHandlerFactory? handlerFactory = null,
        IEndpointPickerFactory? pickerFactory = null,
        IReadOnlyList<IClusterPolicyFactory>? policyFactories = null,
        ILogger? logger = null,
        IDnsLookup? dns = null,
        IEnumerable<IMeshEndpointResolver>? resolvers = null,
        Telemetry.MeshTelemetry? telemetry = null,
        bool sharePools = true)
    {
        Pools = sharePools ? new SharedEndpointPools() : null;
        Telemetry = telemetry ?? MeshClient.Telemetry.MeshTelemetry.Unattached;
        Dns = dns ?? SharedDns;
        var byName = new Dictionary<string, IDnsLookup>(StringComparer.OrdinalIgnoreCase);
        foreach (var resolver in resolvers ?? [])
        {
            byName.TryAdd(resolver.Name, new MeshEndpointResolverLookup(resolver));
        }

        Resolvers = byName;
        TimeProvider = timeProvider ?? TimeProvider.System;
        HandlerFactory = handlerFactory;
        PickerFactory = pickerFactory ?? EndpointPickerFactory.For(TimeProvider);
        PolicyFactories = policyFactories ?? [];
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>For clusters built without a runtime (tests): they share no pools, so that unrelated clusters never meet.</summary>
    public static ClusterServices Default { get; } = new(sharePools: false);

    /// <summary>
    /// The connection pools and load counters the clusters of one service share (its default cluster and its
    /// subsets); <see langword="null"/> for <see cref="Default"/>.
    /// </summary>
    public SharedEndpointPools? Pools { get; }

    public TimeProvider TimeProvider { get; }

    public ClusterHandlerFactory? HandlerFactory { get; }

    public IEndpointPickerFactory PickerFactory { get; }

    public IReadOnlyList<IClusterPolicyFactory> PolicyFactories { get; }

    public ILogger Logger { get; }

    /// <summary>The runtime's metrics, spans and trace headers.</summary>
    public Telemetry.MeshTelemetry Telemetry { get; }

    /// <summary>The resolver of the DNS resolutions (DnsClient on the configured name servers).</summary>
    public IDnsLookup Dns { get; }

    /// <summary>The registered <see cref="IMeshEndpointResolver"/>s by name (the first registration of a name wins).</summary>
    public IReadOnlyDictionary<string, IDnsLookup> Resolvers { get; }

    /// <summary>The lookup for <paramref name="definition"/>: its resolver when it names one, else DNS.</summary>
    public IDnsLookup LookupFor(Model.ClusterDefinition definition) =>
        definition.Resolver is { } name && Resolvers.TryGetValue(name, out var lookup) ? lookup : Dns;

    private static DnsClientLookup SharedDns { get; } = new();
}
