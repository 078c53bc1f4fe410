using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Runtime;

/// <summary>
/// What a request reads, once, from the runtime: the snapshot, its live virtual hosts by host and
/// port, and the passthrough route (unknown hosts under ALLOW_ANY).
/// </summary>
internal sealed class RuntimeState(MeshSnapshot snapshot, HostTable<MeshVirtualHost> virtualHosts, MeshRoute passthrough)
{
    public MeshSnapshot Snapshot { get; } = snapshot;

    public HostTable<MeshVirtualHost> VirtualHosts { get; } = virtualHosts;

    public MeshRoute Passthrough { get; } = passthrough;

    public OutboundTrafficPolicy OutboundTrafficPolicy => Snapshot.OutboundTrafficPolicy;

    public MeshFailureMode FailureMode => Snapshot.FailureMode;
}
