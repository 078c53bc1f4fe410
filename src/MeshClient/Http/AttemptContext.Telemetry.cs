using System.Diagnostics;
using MeshClient.Health;
using MeshClient.Runtime;
using MeshClient.Telemetry;

namespace MeshClient.Http;

/// <summary>The attempt's span and metrics (<see cref="MeshTelemetry"/>), held only while something listens.</summary>
internal sealed partial class AttemptContext
{
    private MeshTelemetry? _telemetry;
    private Activity? _span;

    /// <summary>The attempt in flight is watched: its end goes to <paramref name="telemetry"/>.</summary>
    public void Observe(MeshTelemetry telemetry, Activity? span)
    {
        _telemetry = telemetry;
        _span = span;
    }

    private void ResetTelemetry()
    {
        _telemetry = null;
        _span = null;
    }

    private void EndTelemetry(Cluster cluster, in AttemptOutcome outcome)
    {
        if (_telemetry is { } telemetry)
        {
            var span = _span;
            _telemetry = null;
            _span = null;
            telemetry.EndAttempt(span, cluster, in outcome);
        }
    }
}
