using System.Net.Http.Headers;

namespace MeshClient.Fallback;

/// <summary>
/// What a response's headers allow: whether it may be cached at all, and for how long it stays fresh
/// (<c>max-age</c>, <c>no-cache</c>) and may then be served on errors (<c>stale-if-error</c>, RFC 5861).
/// </summary>
internal readonly record struct CacheDirectives(bool Cacheable, string? Reason, TimeSpan Fresh, TimeSpan StaleIfError)
{
    public TimeSpan Lifetime => Fresh + StaleIfError;

    /// <summary>
    /// Whether every <c>Set-Cookie</c> of <paramref name="response"/> is the consistent-hash cookie the mesh
    /// generated for this caller (not the upstream's: the response itself is shareable; the cookie is never
    /// stored, see <see cref="FallbackEntry"/>).
    /// </summary>
    private static bool OnlyTheMeshsCookie(IEnumerable<string> cookies, HttpResponseMessage response)
    {
        if (response.GetMeshResult()?.GeneratedCookie is not { } generated)
        {
            return false;
        }

        var own = generated.ToSetCookie();
        foreach (var cookie in cookies)
        {
            if (!string.Equals(cookie, own, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public static CacheDirectives For(FallbackPolicy policy, HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies) && !OnlyTheMeshsCookie(cookies, response))
        {
            return new(false, "Set-Cookie", default, default);
        }

        foreach (var header in response.Headers.Vary)
        {
            if (header == "*" || !policy.VariesOn(header))
            {
                return new(false, "Vary: " + header, default, default);
            }
        }

        var fresh = policy.Ttl;
        var stale = policy.MaxStale;
        if (response.Headers.CacheControl is { } control)
        {
            if (control.NoStore || control.Private)
            {
                return new(false, control.NoStore ? "no-store" : "private", default, default);
            }

            if (control.NoCache)
            {
                fresh = TimeSpan.Zero;
            }
            else if (control.MaxAge is { } maxAge && maxAge < fresh)
            {
                fresh = maxAge < TimeSpan.Zero ? TimeSpan.Zero : maxAge;
            }

            if (ReadStaleIfError(control) is { } staleIfError)
            {
                stale = staleIfError;
            }
        }

        return fresh + stale <= TimeSpan.Zero ? new(false, "no lifetime", default, default) : new(true, null, fresh, stale);
    }

    private static TimeSpan? ReadStaleIfError(CacheControlHeaderValue control)
    {
        foreach (var extension in control.Extensions)
        {
            if (string.Equals(extension.Name, "stale-if-error", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(extension.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2));
            }
        }

        return null;
    }
}
