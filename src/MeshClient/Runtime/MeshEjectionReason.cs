namespace MeshClient.Runtime;

/// <summary>Why outlier detection ejected an endpoint (Envoy's ejection types), as <see cref="MeshEndpointStatistics.EjectionReason"/> shows it.</summary>
public enum MeshEjectionReason
{
    /// <summary><c>consecutive5xxErrors</c> 5xx responses in a row (connect failures, resets and timeouts count too outside split mode).</summary>
    Consecutive5xx,

    /// <summary><c>consecutiveGatewayErrors</c> 502, 503 or 504 responses in a row.</summary>
    ConsecutiveGatewayFailure,

    /// <summary><c>consecutiveLocalOriginFailures</c> connect failures, resets or timeouts in a row (split mode).</summary>
    ConsecutiveLocalOriginFailure,

    /// <summary>The success rate over the last interval fell below the cluster's mean minus the configured standard deviations.</summary>
    SuccessRate,

    /// <summary>The failure percentage over the last interval reached the configured threshold.</summary>
    FailurePercentage,
}
