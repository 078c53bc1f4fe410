namespace MeshClient.Configuration;

/// <summary>Ring-hash table settings (Istio <c>consistentHash.ringHash</c>, Envoy <c>RING_HASH</c>).</summary>
public sealed class RingHashOptions
{
    /// <summary>Gets or sets the minimum number of virtual nodes on the ring.</summary>
    /// <value>
    /// Defaults to 1024 (Istio <c>minimumRingSize</c>); 1 to 8,388,608 (Envoy's maximum ring size).
    /// Larger rings spread keys more evenly by weight and cost more memory and rebuild time.
    /// </value>
    public int MinimumRingSize { get; set; } = LoadBalancerDefaults.MinimumRingSize;
}
