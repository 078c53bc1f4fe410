namespace MeshClient.Configuration;

/// <summary>
/// The defaults of <see cref="OutlierDetectionOptions"/>: Envoy's, as Istio leaves them when a
/// <c>DestinationRule</c> has an <c>outlierDetection</c> block (ISTIO-SEMANTICS.md §3.3).
/// </summary>
public static class OutlierDetectionDefaults
{
    /// <summary>Consecutive 5xx responses (or local failures) that eject an endpoint: 5.</summary>
    public const int Consecutive5xxErrors = 5;

    /// <summary>Consecutive 502/503/504 responses that eject an endpoint: 0, off.</summary>
    public const int ConsecutiveGatewayErrors = 0;

    /// <summary>Consecutive local-origin failures that eject an endpoint in split mode: 5.</summary>
    public const int ConsecutiveLocalOriginFailures = 5;

    /// <summary>The most endpoints, in percent, that may be ejected at once: 10.</summary>
    public const int MaxEjectionPercent = 10;

    /// <summary>The healthy share below which the load balancer ignores health (panic): 0, never.</summary>
    public const int MinHealthPercent = 0;

    /// <summary>Gets how often ejections are reviewed: 10 seconds.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the ejection time of a first ejection: 30 seconds.</summary>
    public static TimeSpan BaseEjectionTime { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the longest ejection: 300 seconds (Envoy's <c>max_ejection_time</c>), or the base ejection time when that is longer.</summary>
    public static TimeSpan MaxEjectionTime { get; } = TimeSpan.FromSeconds(300);
}
