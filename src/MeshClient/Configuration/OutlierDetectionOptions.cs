namespace MeshClient.Configuration;

/// <summary>
/// Passive health per endpoint (Istio <c>trafficPolicy.outlierDetection</c>, Envoy's outlier
/// detection): an endpoint that keeps failing is taken out of the load balancer for a while and let
/// back in later. Setting <see cref="TrafficPolicyOptions.OutlierDetection"/> turns it on with these
/// defaults (<see cref="OutlierDetectionDefaults"/>).
/// </summary>
/// <remarks>
/// Unlike a sidecar in front of HTTPS it does not originate (istio/istio#17521), MeshClient sees the
/// status codes inside TLS, so a 5xx over HTTPS counts. See <c>docs/outlier-detection.md</c>.
/// </remarks>
public sealed class OutlierDetectionOptions
{
    /// <summary>Gets or sets how many consecutive 5xx responses eject an endpoint; 0 turns the rule off.</summary>
    /// <value>
    /// Defaults to 5 (Istio <c>consecutive5xxErrors</c>). Unless <see cref="SplitExternalLocalOriginErrors"/>
    /// is set, a connect failure or reset counts as a 503 and a timeout as a 504.
    /// </value>
    public int Consecutive5xxErrors { get; set; } = OutlierDetectionDefaults.Consecutive5xxErrors;

    /// <summary>Gets or sets how many consecutive 502, 503 or 504 responses eject an endpoint; 0 turns the rule off.</summary>
    /// <value>Defaults to 0, off (Istio <c>consecutiveGatewayErrors</c>).</value>
    public int ConsecutiveGatewayErrors { get; set; } = OutlierDetectionDefaults.ConsecutiveGatewayErrors;

    /// <summary>
    /// Gets or sets whether local-origin failures (connect failure, reset, timeout) are counted apart
    /// from the upstream's responses, by <see cref="ConsecutiveLocalOriginFailures"/>.
    /// </summary>
    /// <value>Defaults to <see langword="false"/> (Istio <c>splitExternalLocalOriginErrors</c>).</value>
    public bool SplitExternalLocalOriginErrors { get; set; }

    /// <summary>Gets or sets how many consecutive local-origin failures eject an endpoint in split mode; 0 turns the rule off.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: 5 when <see cref="SplitExternalLocalOriginErrors"/> is set
    /// (Istio <c>consecutiveLocalOriginFailures</c>). Setting it without split mode is an error.
    /// </value>
    public int? ConsecutiveLocalOriginFailures { get; set; }

    /// <summary>Gets or sets how often ejected endpoints are reviewed (let back in when their time is up) and ejection multipliers decay.</summary>
    /// <value>Defaults to 10 seconds (Istio <c>interval</c>). At least 1 ms, in whole milliseconds.</value>
    public TimeSpan Interval { get; set; } = OutlierDetectionDefaults.Interval;

    /// <summary>Gets or sets the ejection time, multiplied by the number of recent ejections of the endpoint.</summary>
    /// <value>Defaults to 30 seconds (Istio <c>baseEjectionTime</c>). At least 1 ms, in whole milliseconds.</value>
    public TimeSpan BaseEjectionTime { get; set; } = OutlierDetectionDefaults.BaseEjectionTime;

    /// <summary>Gets or sets the longest an endpoint stays ejected.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: 300 seconds or <see cref="BaseEjectionTime"/>, whichever is
    /// longer (Envoy <c>max_ejection_time</c>; Istio does not expose it). When set, not less than
    /// <see cref="BaseEjectionTime"/>.
    /// </value>
    public TimeSpan? MaxEjectionTime { get; set; }

    /// <summary>Gets or sets the most endpoints of a cluster, in percent, that may be ejected at once.</summary>
    /// <value>
    /// Defaults to 10 (Istio <c>maxEjectionPercent</c>). As in current Envoy, an endpoint is ejected
    /// only while <c>100 × (ejected + 1) / endpoints ≤ MaxEjectionPercent</c>: with the default,
    /// nothing is ejected from fewer than 10 endpoints unless <see cref="AlwaysEjectOneHost"/> is set.
    /// </value>
    public int MaxEjectionPercent { get; set; } = OutlierDetectionDefaults.MaxEjectionPercent;

    /// <summary>Gets or sets whether one endpoint may always be ejected, whatever <see cref="MaxEjectionPercent"/> says.</summary>
    /// <value>Defaults to <see langword="false"/> (Envoy <c>always_eject_one_host</c>; Istio does not expose it).</value>
    public bool AlwaysEjectOneHost { get; set; }

    /// <summary>
    /// Gets or sets the panic threshold: when fewer than this percent of the endpoints are available,
    /// the load balancer ignores ejections and balances over all of them.
    /// </summary>
    /// <value>
    /// Defaults to 0, never (Istio <c>minHealthPercent</c>): when every endpoint is ejected, requests
    /// fail with 503 no healthy upstream (<c>UH</c>).
    /// </value>
    public int MinHealthPercent { get; set; } = OutlierDetectionDefaults.MinHealthPercent;

    /// <summary>
    /// Gets the status codes (100-599) that count as errors; when empty, every 5xx does. With codes
    /// set, a matching response counts as a 5xx and any other as a success.
    /// </summary>
    /// <value>Defaults to empty (Istio <c>outlierDetectionHttpErrorCodes</c>).</value>
    public IList<int> HttpErrorCodes { get; } = [];

    /// <summary>
    /// Gets or sets Envoy's success-rate ejection (endpoints well below the cluster's mean success rate
    /// over an interval); <see langword="null"/> turns it off.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>, off, as in Istio (which does not expose it).</value>
    public SuccessRateEjectionOptions? SuccessRate { get; set; }

    /// <summary>
    /// Gets or sets Envoy's failure-percentage ejection (endpoints failing at least a share of their
    /// requests over an interval); <see langword="null"/> turns it off.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>, off, as in Istio (which does not expose it).</value>
    public FailurePercentageEjectionOptions? FailurePercentage { get; set; }
}
