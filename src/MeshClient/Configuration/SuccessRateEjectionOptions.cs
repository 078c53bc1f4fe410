namespace MeshClient.Configuration;

/// <summary>
/// Envoy's success-rate outlier detection (<c>success_rate_*</c>): at each sweep, endpoints whose
/// success rate over the last interval falls below <c>mean − stdev × StdevFactor / 1000</c> of the
/// cluster's endpoints are ejected. Istio turns it off (<c>enforcing_success_rate: 0</c>) and does not
/// expose it; MeshClient offers it as an option, off unless set (<see cref="OutlierDetectionOptions.SuccessRate"/>).
/// </summary>
/// <remarks>
/// The statistics need volume: only endpoints with at least <see cref="RequestVolume"/> requests in the
/// interval count, and nothing is ejected unless at least <see cref="MinimumHosts"/> endpoints do. With
/// fewer endpoints (the default 5), use the consecutive rules. See <c>docs/outlier-detection.md</c>.
/// </remarks>
public sealed class SuccessRateEjectionOptions
{
    /// <summary>Gets or sets how many endpoints must have enough volume for the rule to run.</summary>
    /// <value>Defaults to 5 (Envoy <c>success_rate_minimum_hosts</c>).</value>
    public int MinimumHosts { get; set; } = 5;

    /// <summary>Gets or sets the fewest requests in an interval for an endpoint's success rate to count.</summary>
    /// <value>Defaults to 100 (Envoy <c>success_rate_request_volume</c>).</value>
    public int RequestVolume { get; set; } = 100;

    /// <summary>Gets or sets the ejection threshold's distance below the mean, in thousandths of a standard deviation.</summary>
    /// <value>Defaults to 1900, i.e. 1.9 standard deviations (Envoy <c>success_rate_stdev_factor</c>).</value>
    public int StdevFactor { get; set; } = 1900;

    /// <summary>Gets or sets the chance, in percent, that an endpoint found below the threshold is ejected.</summary>
    /// <value>Defaults to 100 (Envoy <c>enforcing_success_rate</c>'s own default; Istio sets 0, off).</value>
    public int EnforcementPercentage { get; set; } = 100;
}
