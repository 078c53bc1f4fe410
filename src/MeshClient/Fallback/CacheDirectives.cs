using System.Net.Http.Headers;

namespace MeshClient.Fallback;

/// <summary>
/// What a response's headers allow: whether it may be cached at all, and for how long it stays fresh
/// (<c>max-age</c>, <c>no-cache</c>) and may then be served on errors (<c>stale-if-error</c>, RFC 5861).
/// </summary>
internal readonly record struct CacheDirectives(bool Cacheable, string? Reason, TimeSpan Fresh, TimeSpan StaleIfError)
{
    public TimeSpan Lifetime => Fresh + StaleIfError;

    public static CacheDirectives For(FallbackPolicy policy, HttpResponseMessage response)
    {
        if (response.Headers.Contains("Set-Cookie"))
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
