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
    ];

    /// <summary>Gets Envoy's spelling: <c>-</c> for none, otherwise codes joined by commas, for example <c>URX,UF</c>.</summary>
    /// <param name="flags">The flags.</param>
    /// <returns>The Envoy <c>%RESPONSE_FLAGS%</c> text.</returns>
    public static string ToEnvoyString(this MeshResponseFlags flags)
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
