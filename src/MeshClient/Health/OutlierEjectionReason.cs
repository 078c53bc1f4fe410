namespace MeshClient.Health;

/// <summary>Why outlier detection ejected an endpoint (Envoy's <c>OutlierEjectionType</c>).</summary>
internal enum OutlierEjectionReason
{
    /// <summary><c>consecutive5xxErrors</c> consecutive 5xx responses (or local failures outside split mode).</summary>
    Consecutive5xx,

    /// <summary><c>consecutiveGatewayErrors</c> consecutive 502, 503 or 504 responses.</summary>
    ConsecutiveGatewayFailure,

    /// <summary><c>consecutiveLocalOriginFailures</c> consecutive connect failures, resets or timeouts in split mode.</summary>
    ConsecutiveLocalOriginFailure,

    /// <summary>The success rate over the last interval fell below the cluster's mean minus the configured standard deviations.</summary>
    SuccessRate,

    /// <summary>The failure percentage over the last interval reached the configured threshold.</summary>
    FailurePercentage,
}
