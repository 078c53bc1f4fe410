using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Envoy's priority and locality-weighted load balancing in front of a cluster's policy: endpoints
/// are grouped by <see cref="EndpointDefinition.Priority"/> (and, with Istio <c>distribute</c>, by
/// locality inside a priority); each group has its own picker from the cluster's
/// <see cref="IEndpointPickerFactory"/>. Built by the cluster's single writer each time the endpoints
/// or their health change; a pick takes no lock and allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Priority load (Envoy <c>LoadBalancerBase::recalculatePerPriorityState</c>): a priority's health is
/// <c>min(100, 140 × healthy / total)</c> (overprovisioning factor 1.4, integer percent); the loads fill
/// from priority 0 — <c>min(remaining, health × 100 / min(100, Σ health))</c> — and any rounding remainder
/// goes to the first priority with health. So priority 0 keeps all the traffic while at least 1/1.4 ≈ 71.4 %
/// of its endpoints are healthy, then spills the missing share to the next.
/// </para>
/// <para>
/// Panic (Istio <c>minHealthPercent</c>, as the cluster applies it without priorities): a priority whose
/// healthy share is under the threshold balances over all its endpoints; when no priority has health,
/// the load follows the endpoint counts, over all endpoints. Locality weights (<c>distribute</c>) are
/// scaled by each locality's availability, <c>min(1, 1.4 × healthy / total)</c>, as Envoy does.
/// </para>
/// <para>
/// Priorities and localities are chosen by smooth weighted sequences (100 slots for the loads, as Envoy's
/// percentages), each a single <see cref="Interlocked.Increment(ref int)"/>; Envoy draws them at random,
/// which gives the same shares. Consistent hashing keeps its stickiness inside a group, but a request's
/// group follows the sequence, so while traffic spills a key may land in either priority.
/// </para>
/// </remarks>
internal sealed class PriorityPicker : EndpointPicker
{
    /// <summary>Envoy's default overprovisioning factor, in percent.</summary>
    internal const int OverprovisioningFactor = 140;

    private readonly Level[] _levels;
    private readonly int[] _slots;
    private int _next = -1;

    private PriorityPicker(MeshEndpoint[] available, Level[] levels, int[] loads)
        : base(available)
    {
        _levels = levels;
        Loads = loads;
        _slots = Smooth(loads);
    }

    /// <summary>Each level's share of the traffic in percent (tests, diagnostics), in the order of the priorities.</summary>
    internal int[] Loads { get; }

    /// <summary>The priorities the levels stand for.</summary>
    internal int[] Priorities => Array.ConvertAll(_levels, static l => l.Priority);

    /// <summary>Whether the endpoints ask for this layer: some priority is not 0, or localities are weighted.</summary>
    public static bool IsNeeded(MeshEndpoint[] endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            var definition = endpoint.Definition;
            if (definition.Priority != 0 || definition.LocalityWeight != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The picker over <paramref name="endpoints"/> (all of them, with their availability); <paramref name="available"/> is what the cluster reports as in load balancing.</summary>
    public static PriorityPicker Create(IEndpointPickerFactory factory, ClusterDefinition definition, MeshEndpoint[] endpoints, MeshEndpoint[] available)
    {
        var priorities = new SortedDictionary<int, List<MeshEndpoint>>();
        foreach (var endpoint in endpoints)
        {
            if (!priorities.TryGetValue(endpoint.Definition.Priority, out var list))
            {
                priorities[endpoint.Definition.Priority] = list = [];
            }

            list.Add(endpoint);
        }

        var panicThreshold = definition.OutlierDetection?.MinHealthPercent ?? 0;
        var count = priorities.Count;
        var groups = new List<MeshEndpoint>[count];
        var health = new int[count];
        var healthy = new int[count];
        var index = 0;
        foreach (var (_, list) in priorities)
        {
            groups[index] = list;
            healthy[index] = Healthy(list);
            health[index] = (int)Math.Min(100, (long)OverprovisioningFactor * healthy[index] / list.Count);
            index++;
        }

        var loads = new int[count];
        var panic = new bool[count];
        var normalizedTotal = 0;
        foreach (var h in health)
        {
            normalizedTotal = Math.Min(100, normalizedTotal + h);
        }

        if (normalizedTotal == 0)
        {
            if (panicThreshold > 0)
            {
                // Total panic (Envoy recalculateLoadInTotalPanic): by endpoint count, over all endpoints.
                var remaining = 100;
                for (var i = 0; i < count; i++)
                {
                    loads[i] = 100 * groups[i].Count / endpoints.Length;
                    remaining -= loads[i];
                    panic[i] = true;
                }

                loads[0] += remaining;
            }
        }
        else
        {
            DistributeLoad(loads, health, normalizedTotal);
            for (var i = 0; i < count; i++)
            {
                panic[i] = panicThreshold > 0 && 100L * healthy[i] < (long)panicThreshold * groups[i].Count;
            }
        }

        var levels = new Level[count];
        index = 0;
        foreach (var (priority, _) in priorities)
        {
            levels[index] = Level.Create(factory, definition, priority, groups[index], panic[index]);
            index++;
        }

        return new PriorityPicker(available, levels, loads);
    }

    public override PickResult Pick(in PickContext context)
    {
        var slots = _slots;
        if (slots.Length == 0)
        {
            return PickResult.None;
        }

        var level = _levels.Length == 1 ? _levels[0] : _levels[slots[(uint)Interlocked.Increment(ref _next) % (uint)slots.Length]];
        return level.Pick(in context);
    }

    /// <summary>Envoy's <c>distributeLoad</c>: fill from the first priority; the rounding remainder goes to the first with health.</summary>
    internal static void DistributeLoad(int[] loads, int[] health, int normalizedTotal)
    {
        var remaining = 100;
        var first = -1;
        for (var i = 0; i < health.Length; i++)
        {
            if (first < 0 && health[i] > 0)
            {
                first = i;
            }

            loads[i] = Math.Min(remaining, health[i] * 100 / normalizedTotal);
            remaining -= loads[i];
        }

        if (remaining != 0 && first >= 0)
        {
            loads[first] += remaining;
        }
    }

    private static int Healthy(List<MeshEndpoint> endpoints)
    {
        var healthy = 0;
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Unavailability == Health.EndpointUnavailability.None)
            {
                healthy++;
            }
        }

        return healthy;
    }

    /// <summary>The smooth weighted sequence of indexes for <paramref name="weights"/>.</summary>
    internal static int[] Smooth(IReadOnlyList<int> weights)
    {
        var total = 0;
        foreach (var weight in weights)
        {
            total += Math.Max(0, weight);
        }

        var sequence = new int[total];
        var current = new long[weights.Count];
        for (var step = 0; step < total; step++)
        {
            var best = -1;
            for (var i = 0; i < weights.Count; i++)
            {
                if (weights[i] <= 0)
                {
                    continue;
                }

                current[i] += weights[i];
                if (best < 0 || current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            sequence[step] = best;
        }

        return sequence;
    }

    /// <summary>One priority: a picker over its endpoints, or with weighted localities one picker per locality.</summary>
    private sealed class Level
    {
        private readonly EndpointPicker? _picker;
        private readonly EndpointPicker[] _localities = [];
        private readonly int[] _slots = [];
        private int _next = -1;

        private Level(int priority, EndpointPicker? picker, EndpointPicker[] localities, int[] slots)
        {
            Priority = priority;
            _picker = picker;
            _localities = localities;
            _slots = slots;
        }

        public int Priority { get; }

        public static Level Create(IEndpointPickerFactory factory, ClusterDefinition definition, int priority, List<MeshEndpoint> endpoints, bool panic)
        {
            var weighted = false;
            foreach (var endpoint in endpoints)
            {
                weighted |= endpoint.Definition.LocalityWeight > 0;
            }

            if (!weighted || panic)
            {
                // Envoy in panic balances over all the priority's hosts, whatever their locality.
                return new Level(priority, factory.Create(definition, panic ? [.. endpoints] : Available(endpoints)), [], []);
            }

            var localities = new List<(string Locality, int Weight, List<MeshEndpoint> Endpoints)>();
            foreach (var endpoint in endpoints)
            {
                var locality = endpoint.Definition.Locality ?? string.Empty;
                var found = localities.FindIndex(l => l.Locality == locality);
                if (found < 0)
                {
                    localities.Add((locality, endpoint.Definition.LocalityWeight, [endpoint]));
                }
                else
                {
                    localities[found].Endpoints.Add(endpoint);
                }
            }

            var pickers = new EndpointPicker[localities.Count];
            var weights = new int[localities.Count];
            for (var i = 0; i < pickers.Length; i++)
            {
                var (_, weight, members) = localities[i];
                var available = Available(members);
                pickers[i] = factory.Create(definition, available);

                // Envoy: locality weight × availability (overprovisioned), in whole percent.
                var availability = Math.Min(100, OverprovisioningFactor * available.Length / members.Count);
                weights[i] = weight * availability;
            }

            return new Level(priority, null, pickers, Smooth(Scale(weights)));
        }

        public PickResult Pick(in PickContext context)
        {
            if (_picker is not null)
            {
                return _picker.Pick(in context);
            }

            var slots = _slots;
            return slots.Length == 0
                ? PickResult.None
                : _localities[slots[(uint)Interlocked.Increment(ref _next) % (uint)slots.Length]].Pick(in context);
        }

        private static MeshEndpoint[] Available(List<MeshEndpoint> endpoints)
        {
            var available = new List<MeshEndpoint>(endpoints.Count);
            foreach (var endpoint in endpoints)
            {
                if (endpoint.Unavailability == Health.EndpointUnavailability.None)
                {
                    available.Add(endpoint);
                }
            }

            return [.. available];
        }

        /// <summary>Divides the weights by their greatest common divisor, then scales them to at most 1,000 slots.</summary>
        private static int[] Scale(int[] weights)
        {
            var divisor = 0;
            long total = 0;
            foreach (var weight in weights)
            {
                divisor = Gcd(divisor, weight);
            }

            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = divisor == 0 ? 0 : weights[i] / divisor;
                total += weights[i];
            }

            if (total > 1000)
            {
                for (var i = 0; i < weights.Length; i++)
                {
                    weights[i] = weights[i] == 0 ? 0 : Math.Max(1, (int)Math.Round(weights[i] * 1000.0 / total));
                }
            }

            return weights;
        }

        private static int Gcd(int a, int b)
        {
            while (b != 0)
            {
                (a, b) = (b, a % b);
            }

            return a;
        }
    }
}
