using System.Numerics;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Consistent hashing on a ring (Istio <c>consistentHash.ringHash</c>, Envoy <c>RING_HASH</c>): each
/// endpoint owns virtual nodes in proportion to its weight, at the hashes of <c>"address:port_i"</c>;
/// a request goes to the first node at or after its key's hash. Removing one of N endpoints moves
/// only the keys it owned (about 1/N). A request without the key goes to a random endpoint, unless the key is a cookie with a
/// <c>ttl</c>: then the cookie is generated (<see cref="HashCookie"/>) and hashed.
/// </summary>
internal sealed class RingHashPicker : EndpointPicker
{
    private readonly HashKey _key;
    private readonly Random _random;
    private readonly ulong[] _hashes;
    private readonly int[] _owners;

    public RingHashPicker(MeshEndpoint[] endpoints, HashKey key, Random random, int minimumRingSize = LoadBalancerDefaults.MinimumRingSize, int maximumRingSize = LoadBalancerDefaults.MaximumRingSize)
        : base(endpoints)
    {
        _key = key;
        _random = random;
        (_hashes, _owners) = BuildRing(endpoints, minimumRingSize, maximumRingSize);
    }

    /// <summary>The number of virtual nodes (tests).</summary>
    internal int RingSize => _hashes.Length;

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

        return PickResult.For(endpoints[_owners[Find(_hashes, hash)]]);
    }

    /// <summary>The first node whose hash is at or after <paramref name="hash"/>, wrapping to the first.</summary>
    private static int Find(ulong[] hashes, ulong hash)
    {
        int low = 0, high = hashes.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (hashes[middle] < hash)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low == hashes.Length ? 0 : low;
    }

    /// <summary>
    /// The ring: every unit of weight gets the same number of nodes, the smallest power of two that
    /// makes the ring at least <paramref name="minimumRingSize"/> long. Envoy scales the ring to the
    /// exact minimum instead, so each change of the endpoint set adds or drops nodes of the endpoints
    /// that stay and moves their keys too; with a power of two the count changes only when the total
    /// weight crosses a boundary, so removing one of N endpoints moves only its own keys (about 1/N).
    /// Rings above <paramref name="maximumRingSize"/> are scaled down proportionally.
    /// </summary>
    private static (ulong[] Hashes, int[] Owners) BuildRing(MeshEndpoint[] endpoints, int minimumRingSize, int maximumRingSize)
    {
        if (endpoints.Length == 0)
        {
            return ([], []);
        }

        long totalWeight = 0;
        foreach (var endpoint in endpoints)
        {
            totalWeight += Math.Max(1, endpoint.Weight);
        }

        var perWeight = (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, (minimumRingSize + totalWeight - 1) / totalWeight));
        var scale = totalWeight * perWeight > maximumRingSize ? maximumRingSize / (double)(totalWeight * perWeight) : 1.0;
        var nodes = new long[endpoints.Length];
        long size = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            nodes[i] = Math.Max(1, (long)(Math.Max(1, endpoints[i].Weight) * perWeight * scale));
            size += nodes[i];
        }

        var hashes = new ulong[size];
        var owners = new int[size];
        var next = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            var authority = endpoints[i].Authority;
            for (var node = 0; node < nodes[i]; node++, next++)
            {
                hashes[next] = RequestHash.Hash($"{authority}_{node}");
                owners[next] = i;
            }
        }

        Array.Sort(hashes, owners);
        return (hashes, owners);
    }
}
