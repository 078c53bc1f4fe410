using System.Globalization;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// A consistent-hash cookie generated for a request that did not carry it (Istio
/// <c>consistentHash.httpCookie</c> with <c>ttl</c>, Envoy's hash policy cookie): its value is hashed
/// for this request and its retries, and returned to the caller as Envoy formats it,
/// <c>name="value"; Max-Age=ttl; Path=path; attributes; HttpOnly</c> (no <c>Max-Age</c> when <c>ttl</c> is zero:
/// a session cookie). Sending the cookie again sends the request to the same endpoint while the
/// endpoints stay the same. Envoy derives the value from the downstream connection's addresses; a
/// client in process has no downstream connection, so the value is 64 random bits in hexadecimal.
/// </summary>
internal sealed class HashCookie
{
    private HashCookie(HashKey key, string value)
    {
        Key = key;
        Value = value;
        Hash = RequestHash.Hash(value);
    }

    /// <summary>The key whose cookie was generated (name, path, ttl).</summary>
    public HashKey Key { get; }

    /// <summary>The cookie's value, 16 hexadecimal digits.</summary>
    public string Value { get; }

    /// <summary>The value's hash, as <see cref="RequestHash"/> hashes a cookie the request carries.</summary>
    public ulong Hash { get; }

    /// <summary>The request's generated cookie for <paramref name="key"/>, generated on its first pick.</summary>
    public static HashCookie For(MeshResult result, HashKey key, Random random)
    {
        if (result.GeneratedCookie is { } generated && generated.Key.Name == key.Name)
        {
            return generated;
        }

        generated = new HashCookie(key, ((ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63)).ToString("x16", CultureInfo.InvariantCulture));
        result.GeneratedCookie = generated;
        return generated;
    }

    /// <summary>The <c>Set-Cookie</c> header value, in Envoy's format.</summary>
    public string ToSetCookie()
    {
        var text = $"{Key.Name}=\"{Value}\"";
        // Envoy keeps whole seconds: below one second the cookie is a session cookie too.
        if (Key.CookieTtl is { } ttl && (long)ttl.TotalSeconds is > 0 and var seconds)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; Max-Age={seconds}");
        }

        if (!string.IsNullOrEmpty(Key.CookiePath))
        {
            text += "; Path=" + Key.CookiePath;
        }

        // Istio httpCookie.attributes, after the path and before HttpOnly, as Envoy writes them.
        return text + Key.CookieAttributes + "; HttpOnly";
    }

    /// <summary>Adds the request's generated cookie, if any, to the response that goes back to the caller.</summary>
    public static void AddTo(HttpResponseMessage response, MeshResult result)
    {
        if (result.GeneratedCookie is { } generated)
        {
            response.Headers.TryAddWithoutValidation("Set-Cookie", generated.ToSetCookie());
        }
    }
}
