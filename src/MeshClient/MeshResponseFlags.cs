namespace MeshClient;

/// <summary>
/// Envoy response flags (<c>%RESPONSE_FLAGS%</c>) for what the mesh did to a request. They combine,
/// for example <see cref="UpstreamRetryLimitExceeded"/> with <see cref="UpstreamConnectionFailure"/>
/// (<c>URX,UF</c>).
/// </summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "Envoy calls them response flags.")]
public enum MeshResponseFlags
{
    /// <summary>Nothing to report (Envoy <c>-</c>).</summary>
    None = 0,

    /// <summary>No healthy endpoint to send to; 503 (Envoy <c>UH</c>).</summary>
    NoHealthyUpstream = 1 << 0,

    /// <summary>The connection to the endpoint failed; 503 (Envoy <c>UF</c>).</summary>
    UpstreamConnectionFailure = 1 << 1,

    /// <summary>A connection-pool or circuit-breaker limit was hit; 503 with <c>x-envoy-overloaded</c> (Envoy <c>UO</c>).</summary>
    UpstreamOverflow = 1 << 2,

    /// <summary>Retries ran out (Envoy <c>URX</c>).</summary>
    UpstreamRetryLimitExceeded = 1 << 3,

    /// <summary>The route timeout expired; 504 (Envoy <c>UT</c>).</summary>
    UpstreamRequestTimeout = 1 << 4,

    /// <summary>
    /// No route: the host is not declared and the outbound policy is REGISTRY_ONLY (502), or no route
    /// of the host's routes matched the request (404) (Envoy <c>NR</c>).
    /// </summary>
    NoRouteFound = 1 << 5,

    /// <summary>A fault-injected delay was applied (Envoy <c>DI</c>).</summary>
    DelayInjected = 1 << 6,

    /// <summary>A fault-injected abort ended the request (Envoy <c>FI</c>).</summary>
    FaultInjected = 1 << 7,

    /// <summary>The endpoint closed the connection before a complete response; 503 (Envoy <c>UC</c>).</summary>
    UpstreamConnectionTermination = 1 << 8,

    /// <summary>The host name could not be resolved; 503 (Envoy <c>DF</c>).</summary>
    DnsResolutionFailure = 1 << 9,

    /// <summary>The route's destination names a cluster that does not exist (an undeclared subset, or an unregistered host under ALLOW_ANY); 503 (Envoy <c>NC</c>).</summary>
    NoClusterFound = 1 << 10,
}
