namespace MeshClient.Configuration;

/// <summary>
/// Envoy's failure-percentage outlier detection (<c>failure_percentage_*</c>): at each sweep, an
/// endpoint whose share of failed requests over the last interval is at least <see cref="Threshold"/>
/// percent is ejected. Off in Istio (<c>enforcing_failure_percentage: 0</c>, not exposed); MeshClient
/// offers it as an option, off unless set (<see cref="OutlierDetectionOptions.FailurePercentage"/>).
/// </summary>
/// <remarks>
/// Only endpoints with at least <see cref="RequestVolume"/> requests in the interval are judged, and
/// only when at least <see cref="MinimumHosts"/> endpoints have that volume. See <c>docs/outlier-detection.md</c>.
/// </remarks>
public sealed class FailurePercentageEjectionOptions
{
    /// <summary>Gets or sets the failure percentage (0-100) at or above which an endpoint is ejected.</summary>
    /// <value>Defaults to 85 (Envoy <c>failure_percentage_threshold</c>).</value>
    public int Threshold { get; set; } = 85;

    /// <summary>Gets or sets how many endpoints must have enough volume for the rule to run.</summary>
    /// <value>Defaults to 5 (Envoy <c>failure_percentage_minimum_hosts</c>).</value>
    public int MinimumHosts { get; set; } = 5;

    /// <summary>Gets or sets the fewest requests in an interval for an endpoint to be judged.</summary>
    /// <value>Defaults to 50 (Envoy <c>failure_percentage_request_volume</c>).</value>
    public int RequestVolume { get; set; } = 50;

    /// <summary>Gets or sets the chance, in percent, that an endpoint at or above the threshold is ejected.</summary>
    /// <value>Defaults to 100 (Istio and Envoy default to 0, off: setting these options turns the rule on).</value>
    public int EnforcementPercentage { get; set; } = 100;
}
