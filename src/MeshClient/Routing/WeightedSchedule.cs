namespace MeshClient.Routing;

/// <summary>
/// Chooses a route's destination by weight, exactly: over any run of <c>total</c> requests each
/// destination gets exactly its weight, spread smoothly (nginx's smooth weighted round robin,
/// precomputed) rather than in bursts. A shared counter (<see cref="Interlocked.Increment(ref int)"/>)
/// walks the schedule: no lock, no allocation. Very large weight sums fall back to the counter
/// modulo the sum over cumulative weights — still exact over a run, no longer interleaved.
/// </summary>
internal sealed class WeightedSchedule
{
    private const int MaxPrecomputed = 10_000;

    private readonly int[]? _schedule;
    private readonly long[]? _cumulative;
    private readonly long _total;
    private int _next = -1;

    public WeightedSchedule(int[] weights)
    {
        var total = 0L;
        foreach (var weight in weights)
        {
            total += weight;
        }

        _total = total;
        if (total <= MaxPrecomputed)
        {
            _schedule = new int[total];
            var current = new long[weights.Length];
            for (var slot = 0; slot < total; slot++)
            {
                var best = -1;
                for (var i = 0; i < weights.Length; i++)
                {
                    current[i] += weights[i];
                    if (weights[i] > 0 && (best < 0 || current[i] > current[best]))
                    {
                        best = i;
                    }
                }

                current[best] -= total;
                _schedule[slot] = best;
            }
        }
        else
        {
            _cumulative = new long[weights.Length];
            var sum = 0L;
            for (var i = 0; i < weights.Length; i++)
            {
                sum += weights[i];
                _cumulative[i] = sum;
            }
        }
    }

    /// <summary>The index of the next destination.</summary>
    public int Next()
    {
        var slot = (long)(uint)Interlocked.Increment(ref _next) % _total;
        if (_schedule is not null)
        {
            return _schedule[slot];
        }

        var index = Array.BinarySearch(_cumulative!, slot + 1);
        return index >= 0 ? index : ~index;
    }
}
