using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Weighted round robin (Istio <c>ROUND_ROBIN</c>). The smooth weighted sequence (the interleaving
/// nginx and Envoy's EDF scheduler produce: weights 5,1,1 give a,a,b,a,c,a,a rather than
/// a,a,a,a,a,b,c) is computed once when the endpoint set changes; a pick is one
/// <see cref="Interlocked.Increment(ref int)"/> and an array read. Each picker starts at a position
/// given by its creator (random in production), so that rebuilding the endpoint set — a reload, an
/// ejection — does not send the next requests to the first endpoint every time.
/// </summary>
internal sealed class RoundRobinPicker : EndpointPicker
{
    /// <summary>Longer sequences are scaled down proportionally (each weight stays at least 1).</summary>
    internal const int MaxSequenceLength = 4096;

    private readonly int[] _sequence;
    private int _next;

    /// <param name="endpoints">The endpoints to balance over.</param>
    /// <param name="start">The position in the weighted sequence of the first pick (any value; taken modulo its length).</param>
    public RoundRobinPicker(MeshEndpoint[] endpoints, int start = 0)
        : base(endpoints)
    {
        _sequence = BuildSequence(endpoints);
        _next = start - 1;
    }

    public override PickResult Pick(in PickContext context)
    {
        var sequence = _sequence;
        if (sequence.Length == 0)
        {
            return PickResult.None;
        }

        var index = (uint)Interlocked.Increment(ref _next) % (uint)sequence.Length;
        return PickResult.For(Endpoints[sequence[index]]);
    }

    internal static int[] BuildSequence(MeshEndpoint[] endpoints)
    {
        if (endpoints.Length == 0)
        {
            return [];
        }

        var weights = new long[endpoints.Length];
        long total = 0;
        long divisor = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            weights[i] = Math.Max(1, endpoints[i].Weight);
            divisor = Gcd(divisor, weights[i]);
        }

        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= divisor;
            total += weights[i];
        }

        if (total > MaxSequenceLength)
        {
            var scale = (double)MaxSequenceLength / total;
            total = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = Math.Max(1, (long)Math.Round(weights[i] * scale));
                total += weights[i];
            }
        }

        // Smooth weighted round robin: each step every endpoint gains its weight, the richest is
        // chosen and pays the total back.
        var sequence = new int[total];
        var current = new long[weights.Length];
        for (var step = 0; step < sequence.Length; step++)
        {
            var best = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            sequence[step] = best;
        }

        return sequence;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
