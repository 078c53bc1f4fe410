namespace MeshClient.Configuration;

/// <summary>Maglev table settings (Istio <c>consistentHash.maglev</c>, Envoy <c>MAGLEV</c>).</summary>
public sealed class MaglevOptions
{
    /// <summary>Gets or sets the lookup table size.</summary>
    /// <value>
    /// Defaults to 65537 (Envoy's; Istio <c>tableSize</c>). Must be a prime below 5,000,011, and
    /// should be much larger than the number of endpoints (Envoy suggests 100 times).
    /// </value>
    public int TableSize { get; set; } = LoadBalancerDefaults.MaglevTableSize;
}
