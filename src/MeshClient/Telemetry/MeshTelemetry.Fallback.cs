using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MeshClient.Telemetry;

/// <summary>Fallback responses (issue [fallback]): log event 161, at most once per service every <see cref="FallbackLog.Interval"/>.</summary>
internal sealed partial class MeshTelemetry
{
    private FallbackLog? _fallbackLog;

    /// <summary>
    /// The fallback handler gave <paramref name="service"/>'s caller a fallback response instead of the failure
    /// <paramref name="result"/> describes: from the cache (<see cref="MeshResult.FromCache"/>) or the user fallback.
    /// </summary>
    public void OnFallbackServed(string service, MeshResult result)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var log = Volatile.Read(ref _fallbackLog) ?? Interlocked.CompareExchange(ref _fallbackLog, new FallbackLog(TimeProvider), null) ?? _fallbackLog!;
        if (log.ShouldLog(service, out var suppressed))
        {
            TelemetryLog.FallbackServed(_logger, service, result.Flags.ToEnvoyString(), result.FromCache ? "cache" : "user fallback", suppressed);
        }
    }
}

/// <summary>Rate limit of the fallback-served message: at most one per service every <see cref="Interval"/>, with a count of the others.</summary>
internal sealed class FallbackLog(TimeProvider timeProvider)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);

    public bool ShouldLog(string service, out long suppressed)
    {
        var state = _states.GetOrAdd(service, static _ => new State());
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
