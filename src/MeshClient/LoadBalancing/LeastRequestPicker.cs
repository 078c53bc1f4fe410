using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Least request (Istio <c>LEAST_REQUEST</c>, the default), as Envoy runs it. Equal weights: the
/// power of <c>choiceCount</c> choices — draw that many endpoints at random (with replacement, as
/// Envoy and gRPC do) and take the one with the fewest requests in flight. Unequal weights: a
/// weighted random choice over Envoy's effective weights <c>weight / (active + 1)^bias</c>, read from
/// <see cref="MeshEndpoint.InFlight"/> at the time of the pick (by rejection sampling, so usually
/// O(log n); see <see cref="PickWeighted"/>).
/// </summary>
/// <remarks>
/// The in-flight counts are the cluster's (every attempt, whatever picked it), so no tracker is
/// needed. Races between concurrent picks are accepted, as in Envoy. With few endpoints and low
/// concurrency most counts are 0 and the policy behaves like random (ALGORITHMS.md §5).
/// </remarks>
internal sealed class LeastRequestPicker : EndpointPicker
{
    private readonly Random _random;
    private readonly int _choiceCount;
    private readonly double _bias;
    /// <summary>Draws by weight before the exact pass (expected draws: total weight / total effective weight).</summary>
    private const int MaxDraws = 8;

    private readonly bool _equalWeights;

    /// <summary>Cumulative configured weights, for the weighted draw; <see langword="null"/> when all are equal.</summary>
    private readonly long[]? _cumulative;

    public LeastRequestPicker(MeshEndpoint[] endpoints, Random random, int choiceCount = 2, double activeRequestBias = 1.0)
        : base(endpoints)
    {
        _random = random;
        _choiceCount = Math.Max(2, choiceCount);
        _bias = activeRequestBias;
        _equalWeights = RandomPicker.AllEqual(endpoints);
        _cumulative = _equalWeights ? null : RandomPicker.Cumulative(endpoints);
    }

    public override PickResult Pick(in PickContext context)
    {
        var endpoints = Endpoints;
        if (endpoints.Length <= 1)
        {
            return endpoints.Length == 0 ? PickResult.None : PickResult.For(endpoints[0]);
        }

        return PickResult.For(_equalWeights ? PickFewest(endpoints) : PickWeighted(endpoints));
    }

    private MeshEndpoint PickFewest(MeshEndpoint[] endpoints)
    {
        var best = endpoints[_random.Next(endpoints.Length)];
        var bestLoad = best.InFlight;
        for (var i = 1; i < _choiceCount; i++)
        {
            var candidate = endpoints[_random.Next(endpoints.Length)];
            var load = candidate.InFlight;
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
            }
        }

        return best;
    }

    private MeshEndpoint PickWeighted(MeshEndpoint[] endpoints)
    {
        // Rejection sampling: draw by configured weight (a binary search), keep the draw with
        // probability 1 / (active + 1)^bias. Accepted draws follow weight / (active + 1)^bias
        // exactly; an idle endpoint is always kept, so an idle cluster needs one draw.
        for (var attempt = 0; attempt < MaxDraws; attempt++)
        {
            var candidate = endpoints[RandomPicker.PickIndex(_random, endpoints.Length, _cumulative)];
            var active = candidate.InFlight;
            if (active <= 0 || _bias == 0 || _random.NextDouble() * Penalty(active) < 1)
            {
                return candidate;
            }
        }

        // Everything busy: one exact pass over the effective weights (also that distribution, so
        // the mix of both paths is). The counts may move between the two loops, which only shifts
        // the draw slightly; the last endpoint absorbs any remainder.
        var total = 0.0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            total += EffectiveWeight(endpoints[i]);
        }

        var target = _random.NextDouble() * total;
        for (var i = 0; i < endpoints.Length - 1; i++)
        {
            target -= EffectiveWeight(endpoints[i]);
            if (target < 0)
            {
                return endpoints[i];
            }
        }

        return endpoints[^1];
    }

    /// <summary><c>(active + 1)^bias</c>; the bias 1.0 default avoids <see cref="Math.Pow"/> on the pick path.</summary>
    private double Penalty(int active) => _bias == 1.0 ? active + 1 : Math.Pow(active + 1, _bias);

    private double EffectiveWeight(MeshEndpoint endpoint)
    {
        double weight = Math.Max(1, endpoint.Weight);
        var active = endpoint.InFlight;
        if (active <= 0 || _bias == 0)
        {
            return weight;
        }

        return weight / Penalty(active);
    }
}
