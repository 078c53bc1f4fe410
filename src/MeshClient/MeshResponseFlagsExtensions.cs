using System.Text;

namespace MeshClient;

/// <summary>Formats <see cref="MeshResponseFlags"/> the way Envoy's access log does.</summary>
public static class MeshResponseFlagsExtensions
{
    private static readonly (MeshResponseFlags Flag, string Code)[] Codes =
    [
        (MeshResponseFlags.NoHealthyUpstream, "UH"),
        (MeshResponseFlags.UpstreamConnectionFailure, "UF"),
        (MeshResponseFlags.UpstreamOverflow, "UO"),
        (MeshResponseFlags.NoRouteFound, "NR"),
        (MeshResponseFlags.UpstreamRetryLimitExceeded, "URX"),
        (MeshResponseFlags.UpstreamRequestTimeout, "UT"),
        (MeshResponseFlags.UpstreamConnectionTermination, "UC"),
        (MeshResponseFlags.DelayInjected, "DI"),
        (MeshResponseFlags.FaultInjected, "FI"),
        (MeshResponseFlags.DnsResolutionFailure, "DF"),
        (MeshResponseFlags.NoClusterFound, "NC"),
    ];

    // One string per combination of the defined flags, made once: they are log fields and metric labels.
    private static readonly string?[] Cache = new string?[1 << 11];

    /// <summary>Gets Envoy's spelling: <c>-</c> for none, otherwise codes joined by commas, for example <c>URX,UF</c>.</summary>
    /// <param name="flags">The flags.</param>
    /// <returns>The Envoy <c>%RESPONSE_FLAGS%</c> text; the same instance each time for the same flags.</returns>
    public static string ToEnvoyString(this MeshResponseFlags flags)
    {
        var index = (uint)flags;
        if (index < (uint)Cache.Length)
        {
            // A race makes the same string twice at worst; both are equal.
            return Cache[index] ??= Format(flags);
        }

        return Format(flags);
    }

    private static string Format(MeshResponseFlags flags)
    {
        if (flags == MeshResponseFlags.None)
        {
            return "-";
        }

        var builder = new StringBuilder();
        foreach (var (flag, code) in Codes)
        {
            if ((flags & flag) != 0)
            {
                if (builder.Length > 0)
                {
                    builder.Append(',');
                }

                builder.Append(code);
            }
        }

        return builder.ToString();
    }
}
