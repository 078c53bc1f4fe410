namespace MeshClient.Configuration;

/// <summary>The defaults of <see cref="FallbackOptions"/>.</summary>
internal static class FallbackDefaults
{
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxStale = TimeSpan.FromHours(1);

    // UC is in: a connection the upstream reset or closed before a complete response is the service failing,
    // as an Envoy/Istio user reads a 503 UC (and the default retry policy does not retry resets). DF is in: a
    // service whose name no longer resolves is down for its callers as surely as one that refuses connections.
    public const MeshResponseFlags OnFlags = MeshResponseFlags.NoHealthyUpstream | MeshResponseFlags.UpstreamConnectionFailure
        | MeshResponseFlags.UpstreamOverflow | MeshResponseFlags.UpstreamRequestTimeout | MeshResponseFlags.UpstreamRetryLimitExceeded
        | MeshResponseFlags.UpstreamConnectionTermination | MeshResponseFlags.DnsResolutionFailure;

    public const int MaxBodyBytes = 1024 * 1024;

    public const int MaxEntries = 1000;

    public static readonly int[] StatusCodes = [502, 503, 504];

    public static readonly string[] Methods = ["GET", "HEAD"];
}
