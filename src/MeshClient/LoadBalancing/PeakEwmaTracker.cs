using MeshClient.Configuration;
using MeshClient.Health;

namespace MeshClient.LoadBalancing;

/// <summary>
/// One endpoint's peak-sensitive moving average of latency (Finagle's and Linkerd's
/// <c>PeakEwma</c>), kept on the endpoint so it survives picker rebuilds. A sample above the
/// estimate replaces it (the peak rule: react to a slowdown at once); a lower one is blended in
/// with weight <c>1 - e^(-Δt/τ)</c>. Read without a lock: the estimate also decays toward 0 with the
/// time since the last sample, so an endpoint the picker avoids looks cheaper again after a few
/// τ and gets probed.
/// </summary>
/// <remarks>
/// Latency is the attempt's time to response headers (its <see cref="AttemptOutcome"/>). A local
/// failure (connect failure, reset, timeout) counts as at least
/// <see cref="LoadBalancerDefaults.PeakEwmaFailurePenalty"/> so that failing fast does not attract
/// traffic; a cancellation or a caller's error teaches nothing.
/// </remarks>
internal sealed class PeakEwmaTracker : IAttemptTracker
{
    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly double _decayTicks;
    private double _estimateTicks;
    private long _stamp;

    public PeakEwmaTracker(TimeProvider timeProvider, TimeSpan decay, TimeSpan defaultRtt)
    {
        _timeProvider = timeProvider;
        Decay = decay;
        DefaultRtt = defaultRtt;

        // Estimates are kept in the provider's timestamp ticks.
        _decayTicks = decay.TotalSeconds * timeProvider.TimestampFrequency;
        _estimateTicks = defaultRtt.TotalSeconds * timeProvider.TimestampFrequency;
        _stamp = timeProvider.GetTimestamp();
    }

    public TimeSpan Decay { get; }

    public TimeSpan DefaultRtt { get; }

    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>The estimate decayed to <paramref name="now"/>, in timestamp ticks.</summary>
    public double EstimateAt(long now)
    {
        // Two fields read without the lock: a torn pair is off by one sample, which a load estimate tolerates.
        var estimate = Volatile.Read(ref _estimateTicks);
        var elapsed = now - Volatile.Read(ref _stamp);
        return elapsed <= 0 ? estimate : estimate * Math.Exp(-elapsed / _decayTicks);
    }

    /// <summary>The estimate at the last sample (timestamp ticks), without decay.</summary>
    public double RawEstimate => Volatile.Read(ref _estimateTicks);

    /// <summary>When the last sample was taken (timestamp ticks).</summary>
    public long Stamp => Volatile.Read(ref _stamp);

    /// <summary>The decay time constant in timestamp ticks.</summary>
    public double DecayTicks => _decayTicks;

    /// <summary>The current estimate (diagnostics and tests).</summary>
    public TimeSpan Estimate => TimeSpan.FromSeconds(EstimateAt(_timeProvider.GetTimestamp()) / _timeProvider.TimestampFrequency);

    public void OnStarted()
    {
    }

    public void OnEnded(in AttemptOutcome outcome)
    {
        if (outcome.Kind is not (AttemptOutcomeKind.Response or AttemptOutcomeKind.LocalFailure))
        {
            return;
        }

        double sample = outcome.EndTimestamp - outcome.StartTimestamp;
        if (outcome.IsLocalOrigin)
        {
            sample = Math.Max(sample, LoadBalancerDefaults.PeakEwmaFailurePenalty.TotalSeconds * _timeProvider.TimestampFrequency);
        }

        Observe(Math.Max(0, sample), outcome.EndTimestamp);
    }

    /// <summary>Folds in a latency sample (timestamp ticks) taken at <paramref name="now"/>.</summary>
    internal void Observe(double sampleTicks, long now)
    {
        // Per endpoint and off the pick path: attempts ending together on one endpoint serialize here.
        lock (_gate)
        {
            var elapsed = Math.Max(0, now - _stamp);
            var estimate = _estimateTicks;
            var decayed = estimate * Math.Exp(-elapsed / _decayTicks);
            if (sampleTicks > decayed)
            {
                estimate = sampleTicks;
            }
            else
            {
                var keep = Math.Exp(-elapsed / _decayTicks);
                estimate = (estimate * keep) + (sampleTicks * (1 - keep));
            }

            Volatile.Write(ref _estimateTicks, estimate);
            Volatile.Write(ref _stamp, Math.Max(_stamp, now));
        }
    }
}
