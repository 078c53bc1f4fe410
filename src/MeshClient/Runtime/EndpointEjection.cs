using MeshClient.Discovery;
using MeshClient.Health;

namespace MeshClient.Runtime;

/// <summary>When an ejected endpoint comes back, for <see cref="MeshStatistics"/> (read on demand, never on the request path).</summary>
internal static class EndpointEjection
{
    /// <summary>The end of <paramref name="endpoint"/>'s current ejection on the cluster's clock, or <see langword="null"/> when it is not ejected.</summary>
    public static DateTimeOffset? Until(Cluster cluster, MeshEndpoint endpoint)
    {
        var health = endpoint.Health;
        if (!health.IsEjected || cluster.FindPolicy<OutlierDetector>() is not { } detector)
        {
            return null;
        }

        var time = cluster.TimeProvider;
        var remaining = detector.Settings.EjectionTime(health.EjectTimeBackoff) - time.GetElapsedTime(health.LastEjectionTimestamp);
        return time.GetUtcNow() + (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
    }
}
