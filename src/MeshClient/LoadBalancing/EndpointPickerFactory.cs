using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>The built-in policies, chosen by <see cref="ClusterDefinition.LoadBalancing"/>.</summary>
internal sealed class EndpointPickerFactory : IEndpointPickerFactory
{
    private readonly Random? _random;
    private readonly TimeProvider _timeProvider;

    private EndpointPickerFactory(Random? random, TimeProvider timeProvider)
    {
        _random = random;
        _timeProvider = timeProvider;
    }

    /// <summary>Production on the system clock: random choices from <see cref="Random.Shared"/>; round robin starts at a random position.</summary>
    public static EndpointPickerFactory Instance { get; } = new(Random.Shared, TimeProvider.System);

    /// <summary>
    /// Deterministic, for tests that follow the order of picks: round robin starts at its first
    /// position, and the random policies draw from a fixed seed (one sequence per picker).
    /// </summary>
    public static EndpointPickerFactory Ordered { get; } = new(null, TimeProvider.System);

    /// <summary>Production on <paramref name="timeProvider"/> (the peak-EWMA estimates follow its clock).</summary>
    public static EndpointPickerFactory For(TimeProvider timeProvider) =>
        ReferenceEquals(timeProvider, TimeProvider.System) ? Instance : new(Random.Shared, timeProvider);

    /// <summary>Deterministic (see <see cref="Ordered"/>) on <paramref name="timeProvider"/>.</summary>
    public static EndpointPickerFactory OrderedFor(TimeProvider timeProvider) => new(null, timeProvider);

    public EndpointPicker Create(ClusterDefinition definition, MeshEndpoint[] available)
    {
        var settings = definition.LoadBalancing;

        // Random.Shared is thread-safe; a seeded Random is not, so the deterministic one is per picker.
        var random = _random ?? new Random(17);
        if (settings.Hash is { } key)
        {
            return settings.Maglev
                ? new MaglevPicker(available, key, random, settings.MaglevTableSize)
                : new RingHashPicker(available, key, random, settings.MinimumRingSize);
        }

        EndpointPicker picker = settings.Algorithm switch
        {
            LoadBalancerAlgorithm.RoundRobin => new RoundRobinPicker(available, _random?.Next() ?? 0),
            LoadBalancerAlgorithm.Random => new RandomPicker(available, random),
            LoadBalancerAlgorithm.PeakEwma => new PeakEwmaPicker(available, Trackers(available, settings), random),

            // PASSTHROUGH is valid only for resolution NONE, whose cluster has no endpoints to pick.
            LoadBalancerAlgorithm.LeastRequest or LoadBalancerAlgorithm.Unspecified or LoadBalancerAlgorithm.Passthrough =>
                new LeastRequestPicker(available, random, settings.ChoiceCount, settings.ActiveRequestBias),
            _ => throw new InvalidOperationException($"Load-balancing policy {settings.Algorithm} has no picker (validation should have rejected it)."),
        };

        return settings.SlowStart is { } slowStart && picker is RoundRobinPicker or LeastRequestPicker
            ? new SlowStartPicker(available, picker, slowStart, _timeProvider, _random ?? new Random(23), picker is LeastRequestPicker ? settings.ActiveRequestBias : 0)
            : picker;
    }

    /// <summary>Each endpoint's latency tracker: kept across rebuilds, replaced when the clock or the settings change. Under the cluster's writer.</summary>
    private PeakEwmaTracker[] Trackers(MeshEndpoint[] endpoints, LoadBalancerSettings settings)
    {
        var trackers = new PeakEwmaTracker[endpoints.Length];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var tracker = endpoints[i].LatencyTracker;
            if (tracker is null
                || !ReferenceEquals(tracker.TimeProvider, _timeProvider)
                || tracker.Decay != settings.EwmaDecay
                || tracker.DefaultRtt != settings.EwmaDefaultRtt)
            {
                tracker = new PeakEwmaTracker(_timeProvider, settings.EwmaDecay, settings.EwmaDefaultRtt);
                endpoints[i].LatencyTracker = tracker;
            }

            trackers[i] = tracker;
        }

        return trackers;
    }
}
