using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Weighted random (Istio <c>RANDOM</c>): each pick draws an endpoint with probability proportional
/// to its weight — uniform when the weights are equal, otherwise a binary search of the cumulative
/// weights computed once per endpoint set.
/// </summary>
internal sealed class RandomPicker : EndpointPicker
{
    private readonly Random _random;

    /// <summary>Cumulative weights (the i-th is the sum of weights 0..i); <see langword="null"/> when all are equal.</summary>
    private readonly long[]? _cumulative;

    public RandomPicker(MeshEndpoint[] endpoints, Random random)
        : base(endpoints)
    {
        _random = random;
        _cumulative = AllEqual(endpoints) ? null : Cumulative(endpoints);
    }

    public override PickResult Pick(in PickContext context)
    {
        var endpoints = Endpoints;
        if (endpoints.Length <= 1)
        {
            return endpoints.Length == 0 ? PickResult.None : PickResult.For(endpoints[0]);
        }

        return PickResult.For(endpoints[PickIndex(_random, endpoints.Length, _cumulative)]);
    }

    /// <summary>A random index, weighted by <paramref name="cumulative"/> when there is one.</summary>
    internal static int PickIndex(Random random, int count, long[]? cumulative)
    {
        if (cumulative is null)
        {
            return random.Next(count);
        }

        var target = random.NextInt64(cumulative[^1]);

        // The first index whose cumulative weight exceeds the target.
        int low = 0, high = cumulative.Length - 1;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (cumulative[middle] > target)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    internal static long[] Cumulative(MeshEndpoint[] endpoints)
    {
        var cumulative = new long[endpoints.Length];
        long total = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            total += Math.Max(1, endpoints[i].Weight);
            cumulative[i] = total;
        }

        return cumulative;
    }

    internal static bool AllEqual(MeshEndpoint[] endpoints)
    {
        for (var i = 1; i < endpoints.Length; i++)
        {
            if (Math.Max(1, endpoints[i].Weight) != Math.Max(1, endpoints[0].Weight))
            {
                return false;
            }
        }

        return true;
    }
}
