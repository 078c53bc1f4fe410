namespace MeshClient.Configuration;

/// <summary>The load-balancing defaults and limits, in one place (Envoy's, Istio's and Linkerd's values).</summary>
internal static class LoadBalancerDefaults
{
    /// <summary>Envoy <c>choice_count</c>.</summary>
    public const int ChoiceCount = 2;

    /// <summary>The most choices a least-request pick compares.</summary>
    public const int MaxChoiceCount = 100;

    /// <summary>Envoy <c>active_request_bias</c>.</summary>
    public const double ActiveRequestBias = 1.0;

    /// <summary>The largest active-request bias accepted.</summary>
    public const double MaxActiveRequestBias = 10.0;

    /// <summary>Istio's and Envoy's <c>minimum_ring_size</c>.</summary>
    public const int MinimumRingSize = 1024;

    /// <summary>Envoy's default <c>maximum_ring_size</c> (8M), which Istio does not change.</summary>
    public const int MaximumRingSize = 8 * 1024 * 1024;

    /// <summary>Envoy's default Maglev table size.</summary>
    public const int MaglevTableSize = 65537;

    /// <summary>Maglev table sizes must be below this prime (Istio's validation).</summary>
    public const int MaglevTableSizeLimit = 5000011;

    /// <summary>Linkerd's and Finagle's EWMA decay.</summary>
    public static readonly TimeSpan PeakEwmaDecay = TimeSpan.FromSeconds(10);

    /// <summary>Linkerd's default RTT for an endpoint without a measurement.</summary>
    public static readonly TimeSpan PeakEwmaDefaultRtt = TimeSpan.FromMilliseconds(30);

    /// <summary>The latency a locally failed attempt (connect failure, reset, timeout) counts as at least, so a fast failure does not attract traffic.</summary>
    public static readonly TimeSpan PeakEwmaFailurePenalty = TimeSpan.FromSeconds(1);
}
