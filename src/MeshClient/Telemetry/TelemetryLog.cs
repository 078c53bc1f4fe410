using System.Runtime.CompilerServices;
using MeshClient.Runtime;
using Microsoft.Extensions.Logging;

namespace MeshClient.Telemetry;

/// <summary>The telemetry's own log messages (event ids 160–169; see docs/observability.md for every id).</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(160, LogLevel.Warning, "Cluster {Cluster}: a connection-pool limit refused requests (503 UO, x-envoy-overloaded); {Suppressed} more since the last message. Raise connectionPool limits or lower the load.")]
    public static partial void Overflow(ILogger logger, string cluster, long suppressed);

    [LoggerMessage(161, LogLevel.Warning, "External service '{Service}': the fallback served a response instead of the failure {Flags} (from the {Source}); {Suppressed} more since the last message. The service is failing: callers get fallback responses.")]
    public static partial void FallbackServed(ILogger logger, string service, string flags, string source, long suppressed);
}

/// <summary>Rate limit of the per-request overflow message: at most one per cluster every <see cref="Interval"/>, with a count of the others.</summary>
internal sealed class OverflowLog(TimeProvider timeProvider)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConditionalWeakTable<Cluster, State> _states = [];

    public bool ShouldLog(Cluster cluster, out long suppressed)
    {
        var state = _states.GetValue(cluster, static _ => new State());
        var now = timeProvider.GetTimestamp();
        lock (state)
        {
            if (state.Logged != 0 && timeProvider.GetElapsedTime(state.Logged, now) < Interval)
            {
                state.Suppressed++;
                suppressed = 0;
                return false;
            }

            state.Logged = now == 0 ? 1 : now;
            suppressed = state.Suppressed;
            state.Suppressed = 0;
            return true;
        }
    }

    private sealed class State
    {
        public long Logged;
        public long Suppressed;
    }
}
