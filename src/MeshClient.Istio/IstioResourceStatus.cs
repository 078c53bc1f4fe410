namespace MeshClient.Istio;

/// <summary>What the loader did with one Istio (or Kubernetes) object it read.</summary>
public enum IstioResourceStatus
{
    /// <summary>
    /// The object was mapped onto the MeshClient model (a <c>ServiceEntry</c>, the
    /// <c>loadBalancer.simple</c> of a <c>DestinationRule</c>, the outbound policy of a <c>Sidecar</c>).
    /// Fields that are not supported yet produce warnings.
    /// </summary>
    Mapped = 0,

    /// <summary>
    /// The object was parsed and validated, but nothing in it is applied yet (a <c>VirtualService</c>):
    /// every field present produces a "not supported yet" warning.
    /// </summary>
    ValidatedOnly = 1,

    /// <summary>
    /// The object is of a kind MeshClient does not use (a Kubernetes <c>Service</c>, a <c>Gateway</c>,
    /// a <c>WorkloadEntry</c>, a <c>PeerAuthentication</c>…): it is skipped with a debug log.
    /// </summary>
    Ignored = 2,

    /// <summary>The object could not be mapped at all (no <c>spec</c>, no hosts, not an object); an error says why.</summary>
    Rejected = 3,
}
