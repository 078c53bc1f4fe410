using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Reads a consistent-hash key from a request and hashes it without allocating: a header's values,
/// a cookie's value or a query parameter's raw value. The hash is 64-bit FNV-1a over the UTF-16
/// code units with a final avalanche (MurmurHash3's <c>fmix64</c>), also used for the endpoints'
/// positions on a ring or in a Maglev table; it is stable across processes (not randomized like
/// <see cref="string.GetHashCode()"/>), so every instance of an application maps a key alike.
/// </summary>
internal static class RequestHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>Hashes the request's key; <see langword="false"/> when the request does not carry it.</summary>
    public static bool TryHash(HttpRequestMessage? request, HashKey key, out ulong hash)
    {
        hash = 0;
        if (request is null)
        {
            return false;
        }

        return key.Source switch
        {
            HashKeySource.Header => TryHashHeader(request, key.Name, out hash),
            HashKeySource.Cookie => TryHashCookie(request, key.Name, out hash),
            HashKeySource.QueryParameter => TryHashQuery(request, key.Name, out hash),
            _ => false,
        };
    }

    /// <summary>
    /// Hashes the request's key; when the request does not carry it and the key is a cookie with a
    /// <c>ttl</c>, hashes the cookie generated for the request (<see cref="HashCookie"/>), the same on every attempt.
    /// </summary>
    public static bool TryHashOrGenerate(in PickContext context, HashKey key, Random random, out ulong hash)
    {
        if (TryHash(context.Request, key, out hash))
        {
            return true;
        }

        if (key.GeneratesCookie && context.Result is { } result)
        {
            hash = HashCookie.For(result, key, random).Hash;
            return true;
        }

        return false;
    }

    public static ulong Hash(ReadOnlySpan<char> text, ulong seed = 0) => Finish(Append(FnvOffset ^ seed, text));

    private static ulong Append(ulong state, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            state = (state ^ c) * FnvPrime;
        }

        return state;
    }

    private static ulong Finish(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccd;
        h ^= h >> 33;
        h *= 0xc4ceb93fe53ccd63;
        h ^= h >> 33;
        return h;
    }

    private static bool TryHashHeader(HttpRequestMessage request, string name, out ulong hash)
    {
        hash = 0;
        if (!request.Headers.NonValidated.TryGetValues(name, out var values) || values.Count == 0)
        {
            return false;
        }

        // Every value, in order, separated (Envoy hashes all the values of a repeated header).
        var state = FnvOffset;
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                state = (state ^ '\n') * FnvPrime;
            }

            state = Append(state, value);
            first = false;
        }

        hash = Finish(state);
        return true;
    }

    private static bool TryHashCookie(HttpRequestMessage request, string name, out ulong hash)
    {
        hash = 0;
        if (!request.Headers.NonValidated.TryGetValues("Cookie", out var values))
        {
            return false;
        }

        foreach (var header in values)
        {
            // "a=1; b=2": the first pair with the name.
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf(';');
                var pair = (end < 0 ? rest : rest[..end]).Trim();
                rest = end < 0 ? default : rest[(end + 1)..];
                var equals = pair.IndexOf('=');
                if (equals > 0 && pair[..equals].TrimEnd().SequenceEqual(name))
                {
                    hash = Hash(pair[(equals + 1)..].Trim().Trim('"'));
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TryHashQuery(HttpRequestMessage request, string name, out ulong hash)
    {
        hash = 0;
        if (request.RequestUri is not { } uri)
        {
            return false;
        }

        // Uri caches its Query; a relative URI is searched in its original string.
        var query = uri.IsAbsoluteUri ? uri.Query.AsSpan() : uri.OriginalString.AsSpan();
        var start = query.IndexOf('?');
        if (start < 0)
        {
            return false;
        }

        var rest = query[(start + 1)..];
        var fragment = rest.IndexOf('#');
        if (fragment >= 0)
        {
            rest = rest[..fragment];
        }

        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('&');
            var pair = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (key.SequenceEqual(name))
            {
                hash = Hash(equals < 0 ? default : pair[(equals + 1)..]);
                return true;
            }
        }

        return false;
    }
}
