using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Consistent hashing with a Maglev lookup table (Istio <c>consistentHash.maglev</c>, Envoy
/// <c>MAGLEV</c>): each endpoint fills table slots along its own permutation (offset and skip from
/// two hashes of <c>address:port</c>), as often as its weight allows (Envoy's weighted Maglev); a
/// request goes to <c>table[hash % size]</c>. Removing one of N endpoints moves about 1/N of the
/// keys (a little more than a ring). A request without the key goes to a random endpoint, unless the key is a cookie with a
/// <c>ttl</c>: then the cookie is generated (<see cref="HashCookie"/>) and hashed.
/// </summary>
internal sealed class MaglevPicker : EndpointPicker
{
    private readonly HashKey _key;
    private readonly Random _random;
    private readonly int[] _table;

    public MaglevPicker(MeshEndpoint[] endpoints, HashKey key, Random random, int tableSize = LoadBalancerDefaults.MaglevTableSize)
        : base(endpoints)
    {
        _key = key;
        _random = random;
        _table = BuildTable(endpoints, tableSize);
    }

    public override PickResult Pick(in PickContext context)
    {
        var endpoints = Endpoints;
        if (endpoints.Length <= 1)
        {
            return endpoints.Length == 0 ? PickResult.None : PickResult.For(endpoints[0]);
        }

        if (!RequestHash.TryHashOrGenerate(in context, _key, _random, out var hash))
        {
            return PickResult.For(endpoints[_random.Next(endpoints.Length)]);
        }

        return PickResult.For(endpoints[_table[hash % (ulong)_table.Length]]);
    }

    internal static int[] BuildTable(MeshEndpoint[] endpoints, int size)
    {
        if (endpoints.Length == 0)
        {
            return [];
        }

        var table = new int[size];
        Array.Fill(table, -1);
        var offsets = new ulong[endpoints.Length];
        var skips = new ulong[endpoints.Length];
        var next = new ulong[endpoints.Length];
        var weights = new double[endpoints.Length];
        var targets = new double[endpoints.Length];
        double total = 0, max = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            total += Math.Max(1, endpoints[i].Weight);
        }

        for (var i = 0; i < endpoints.Length; i++)
        {
            var authority = endpoints[i].Authority;
            offsets[i] = RequestHash.Hash(authority) % (ulong)size;
            skips[i] = (RequestHash.Hash(authority, seed: 1) % (ulong)(size - 1)) + 1;
            weights[i] = Math.Max(1, endpoints[i].Weight) / total;
            max = Math.Max(max, weights[i]);
        }

        // An endpoint with the largest weight takes a slot every round; one with a third of it, every third round.
        var filled = 0;
        for (var round = 1L; filled < size; round++)
        {
            for (var i = 0; i < endpoints.Length && filled < size; i++)
            {
                if (round * weights[i] < targets[i])
                {
                    continue;
                }

                targets[i] += max;
                var slot = (offsets[i] + (skips[i] * next[i])) % (ulong)size;
                while (table[slot] >= 0)
                {
                    next[i]++;
                    slot = (offsets[i] + (skips[i] * next[i])) % (ulong)size;
                }

                table[slot] = i;
                next[i]++;
                filled++;
            }
        }

        return table;
    }
}
