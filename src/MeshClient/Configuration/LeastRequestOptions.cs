namespace MeshClient.Configuration;

/// <summary>
/// Tuning of <see cref="LoadBalancerAlgorithm.LeastRequest"/>, after Envoy's
/// <c>least_request_lb_config</c> (Istio sets neither field, so Envoy's defaults apply there).
/// </summary>
public sealed class LeastRequestOptions
{
    /// <summary>Gets or sets how many random endpoints each pick compares when all weights are equal.</summary>
    /// <value>Defaults to 2 (the power of two choices; Envoy <c>choice_count</c>); 2 to 100.</value>
    /// <remarks>Endpoints are drawn with replacement, as in Envoy and gRPC.</remarks>
    public int ChoiceCount { get; set; } = LoadBalancerDefaults.ChoiceCount;

    /// <summary>Gets or sets how strongly requests in flight lower an endpoint's effective weight when weights differ.</summary>
    /// <value>
    /// Defaults to 1.0 (Envoy <c>active_request_bias</c>): effective weight = <c>weight / (active + 1)^bias</c>;
    /// 0 makes it weighted round robin. 0 to 10.
    /// </value>
    public double ActiveRequestBias { get; set; } = LoadBalancerDefaults.ActiveRequestBias;
}
