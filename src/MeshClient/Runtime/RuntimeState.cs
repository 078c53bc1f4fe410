using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Runtime;

/// <summary>What a request reads, once, from the runtime: the snapshot and its live clusters by host and port.</summary>
internal sealed class RuntimeState(MeshSnapshot snapshot, HostTable<Cluster> clusters)
{
    public MeshSnapshot Snapshot { get; } = snapshot;

    public HostTable<Cluster> Clusters { get; } = clusters;

    public OutboundTrafficPolicy OutboundTrafficPolicy => Snapshot.OutboundTrafficPolicy;

    public MeshFailureMode FailureMode => Snapshot.FailureMode;
}
