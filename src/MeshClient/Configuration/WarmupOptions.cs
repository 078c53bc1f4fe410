namespace MeshClient.Configuration;

/// <summary>
/// Slow start (Istio <c>trafficPolicy.loadBalancer.warmup</c>, Envoy <c>slow_start_config</c>): an
/// endpoint that joins the service gets a growing share of the traffic during <see cref="Duration"/>
/// instead of its full share at once. Applies to round robin and least request.
/// </summary>
/// <remarks>
/// During the window an endpoint's weight is <c>weight × max(MinimumPercent / 100, TimeFactor^(1 / Aggression))</c>
/// with <c>TimeFactor = max(seconds since it joined, 1) / window seconds</c>. Endpoints present when the
/// service starts all join at once, so they get equal shares, as in Envoy. See <c>docs/load-balancing.md</c>.
/// </remarks>
public sealed class WarmupOptions
{
    /// <summary>Gets or sets the slow-start window; required (Istio <c>warmup.duration</c>).</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Gets or sets the smallest share of its weight, in percent (0-100), an endpoint gets during the window.</summary>
    /// <value>Defaults to 10 (Istio <c>warmup.minimumPercent</c>).</value>
    public double MinimumPercent { get; set; } = 10;

    /// <summary>Gets or sets how the share grows: 1 linearly; above 1 faster at first (Istio <c>warmup.aggression</c>, at least 1).</summary>
    /// <value>Defaults to 1.0.</value>
    public double Aggression { get; set; } = 1.0;
}
