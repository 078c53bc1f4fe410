namespace MeshClient.Configuration;

/// <summary>The defaults of <see cref="FallbackOptions"/>.</summary>
internal static class FallbackDefaults
{
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxStale = TimeSpan.FromHours(1);

    public const MeshResponseFlags OnFlags = MeshResponseFlags.NoHealthyUpstream | MeshResponseFlags.UpstreamConnectionFailure
        | MeshResponseFlags.UpstreamOverflow | MeshResponseFlags.UpstreamRequestTimeout | MeshResponseFlags.UpstreamRetryLimitExceeded;

    public const int MaxBodyBytes = 1024 * 1024;

    public static readonly int[] StatusCodes = [502, 503, 504];

    public static readonly string[] Methods = ["GET", "HEAD"];
}
