namespace MeshClient.Configuration;

/// <summary>A simple load-balancing algorithm (Istio <c>loadBalancer.simple</c>).</summary>
public enum LoadBalancerAlgorithm
{
    /// <summary>Not set: <see cref="LeastRequest"/>, Istio's default (since Istio 1.14).</summary>
    Unspecified = 0,

    /// <summary>Smooth weighted round robin across endpoints (Istio <c>ROUND_ROBIN</c>).</summary>
    RoundRobin,

    /// <summary>
    /// Least request (Istio <c>LEAST_REQUEST</c>, deprecated alias <c>LEAST_CONN</c>): with equal
    /// weights the power of <see cref="LeastRequestOptions.ChoiceCount"/> choices on requests in
    /// flight; with unequal weights Envoy's <c>weight / (active + 1)^bias</c>. The default.
    /// </summary>
    LeastRequest,

    /// <summary>Weighted random choice (Istio <c>RANDOM</c>).</summary>
    Random,

    /// <summary>
    /// Send to the address the application asked for (Istio <c>PASSTHROUGH</c>). Applies to
    /// resolution <c>NONE</c> only, where it is what MeshClient does anyway.
    /// </summary>
    Passthrough,

    /// <summary>
    /// A MeshClient extension (Linkerd's and Finagle's default, not an Istio value): the power of two
    /// distinct choices on a peak-sensitive moving average of each endpoint's latency times its
    /// requests in flight, so a slow endpoint gets less traffic even at low concurrency. Spelled
    /// <c>PEAK_EWMA</c> in configuration and in <c>simple</c> of Istio YAML. See <see cref="PeakEwmaOptions"/>.
    /// </summary>
    PeakEwma,
}
