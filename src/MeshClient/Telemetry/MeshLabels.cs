using System.Globalization;
using System.Runtime.CompilerServices;
using MeshClient.Model;
using MeshClient.Runtime;

namespace MeshClient.Telemetry;

/// <summary>Istio's metric label names and the cached values the mesh uses for them.</summary>
internal static class MeshLabels
{
    public const string Unknown = "unknown";
    public const string Reporter = "reporter";
    public const string SourceWorkload = "source_workload";
    public const string SourceWorkloadNamespace = "source_workload_namespace";
    public const string DestinationService = "destination_service";
    public const string DestinationServiceName = "destination_service_name";
    public const string DestinationPort = "destination_port";
    public const string DestinationSubset = "destination_subset";
    public const string RequestProtocol = "request_protocol";
    public const string ResponseCode = "response_code";
    public const string ResponseFlags = "response_flags";
    public const string Cluster = "cluster";
    public const string Endpoint = "endpoint";
    public const string Reason = "reason";
    public const string Outcome = "outcome";

    private static readonly string?[] StatusCodes = new string?[600];
    private static readonly ConditionalWeakTable<Cluster, ClusterLabels> ByCluster = [];

    /// <summary>The status code as a label, cached for 0–599.</summary>
    public static string Status(int code) =>
        (uint)code < (uint)StatusCodes.Length
            ? StatusCodes[code] ??= code.ToString(CultureInfo.InvariantCulture)
            : code.ToString(CultureInfo.InvariantCulture);

    /// <summary>The labels that only depend on the cluster, built once per cluster.</summary>
    public static ClusterLabels For(Cluster cluster) =>
        ByCluster.TryGetValue(cluster, out var labels) ? labels : ByCluster.GetValue(cluster, static c => new ClusterLabels(c));
}

/// <summary>Label values of one cluster: Istio's destination labels.</summary>
internal sealed class ClusterLabels
{
    private ConditionalWeakTable<ClusterDefinition, ClusterLabels>? _routed;

    public ClusterLabels(Cluster cluster)
    {
        var key = cluster.Key;
        Name = cluster.Name;
        if (cluster.ServiceName is { } service)
        {
            Service = key.Host;
            ServiceName = service;
            Port = key.Port.ToString(CultureInfo.InvariantCulture);
            Subset = string.IsNullOrEmpty(key.Subset) ? MeshLabels.Unknown : key.Subset;
        }
        else
        {
            // Istio's PassthroughCluster: the host is not a label (ALLOW_ANY would make it unbounded).
            Service = cluster.Name;
            ServiceName = cluster.Name;
            Port = MeshLabels.Unknown;
            Subset = MeshLabels.Unknown;
        }

        Protocol = ProtocolOf(cluster.Definition.Protocol);
        AttemptSpanName = ServiceName + " attempt";
    }

    /// <summary>
    /// The labels of a request for the service <paramref name="requested"/> declares that a route sent to
    /// <paramref name="upstream"/>'s cluster (an egress gateway): Istio's destination labels name the
    /// requested service, <see cref="Name"/> (the span's <c>meshclient.cluster</c>) stays the upstream's.
    /// </summary>
    private ClusterLabels(ClusterDefinition requested, ClusterLabels upstream)
    {
        var key = requested.Key;
        Name = upstream.Name;
        Service = key.Host;
        ServiceName = requested.ServiceName;
        Port = key.Port.ToString(CultureInfo.InvariantCulture);
        Subset = MeshLabels.Unknown; // a route's subset is the upstream's, not the requested service's
        Protocol = ProtocolOf(requested.Protocol);
        AttemptSpanName = upstream.AttemptSpanName;
        Upstream = upstream;
    }

    /// <summary>The name of the attempt spans of the cluster.</summary>
    public string AttemptSpanName { get; }

    /// <summary>Envoy's cluster name.</summary>
    public string Name { get; }

    public string Service { get; }

    public string ServiceName { get; }

    public string Port { get; }

    public string Subset { get; }

    public string Protocol { get; }

    /// <summary>For the labels of a request routed to another service's cluster: that cluster's own labels; else <see langword="null"/>.</summary>
    public ClusterLabels? Upstream { get; }

    /// <summary>The labels of a request for <paramref name="requested"/> sent to this cluster, built once per (snapshot) service definition.</summary>
    public ClusterLabels RoutedFrom(ClusterDefinition requested)
    {
        var routed = _routed ?? Interlocked.CompareExchange(ref _routed, new(), null) ?? _routed;
        return routed.TryGetValue(requested, out var labels) ? labels : routed.GetValue(requested, definition => new ClusterLabels(definition, this));
    }

    /// <summary>Istio's <c>BlackHoleCluster</c>: a request that REGISTRY_ONLY refused, or that no route matched.</summary>
    public static ClusterLabels BlackHole { get; } = new("BlackHoleCluster");

    /// <summary>No cluster and not blocked (a request that failed before routing, or Envoy's <c>NC</c>).</summary>
    public static ClusterLabels None { get; } = new(MeshLabels.Unknown);

    private ClusterLabels(string name)
    {
        Name = Service = ServiceName = name;
        Port = Subset = MeshLabels.Unknown;
        Protocol = "http";
        AttemptSpanName = name + " attempt";
    }

    private static string ProtocolOf(Configuration.ServiceProtocol protocol) =>
        protocol is Configuration.ServiceProtocol.Grpc or Configuration.ServiceProtocol.GrpcWeb ? "grpc" : "http";
}
