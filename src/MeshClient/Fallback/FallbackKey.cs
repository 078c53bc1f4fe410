using System.Security.Cryptography;
using System.Text;

namespace MeshClient.Fallback;

/// <summary>
/// The cache key of a request: method, scheme, logical host (the one the caller asked for, before any
/// rewrite), port, path and query, the values of the policy's vary headers and, for a request with
/// credentials when the policy allows them, the credentials themselves. The whole is hashed (SHA-256), so
/// the stored key carries no credential and stays short whatever the URL's length.
/// </summary>
internal static class FallbackKey
{
    public const string Prefix = "meshclient:fallback:";

    /// <summary>The key, or <see langword="null"/> when the request must neither be cached nor served from the cache.</summary>
    public static string? Create(FallbackPolicy policy, HttpRequestMessage request, Uri uri)
    {
        if (!policy.AppliesTo(request.Method))
        {
            return null;
        }

        var credentials = request.Headers.Authorization is not null || request.Headers.Contains("Cookie");
        if (credentials && !policy.CacheAuthorizedRequests)
        {
            return null;
        }

        var text = new StringBuilder(128)
            .Append(request.Method.Method).Append('\n')
            .Append(uri.Scheme).Append('\n')
            .Append(uri.IdnHost.ToLowerInvariant()).Append(':').Append(uri.Port).Append('\n')
            .Append(uri.PathAndQuery).Append('\n');
        foreach (var header in policy.VaryHeaders)
        {
            text.Append(header.ToLowerInvariant()).Append('=');
            if (request.Headers.TryGetValues(header, out var values))
            {
                AppendValues(text, values);
            }
            else if (request.Content?.Headers.TryGetValues(header, out var contentValues) == true)
            {
                AppendValues(text, contentValues);
            }

            text.Append('\n');
        }

        if (credentials)
        {
            // Distinct credentials, distinct keys: one caller's private response is never another's.
            text.Append("credentials\n");
            if (request.Headers.TryGetValues("Authorization", out var authorization))
            {
                AppendValues(text.Append("authorization="), authorization);
            }

            if (request.Headers.TryGetValues("Cookie", out var cookies))
            {
                AppendValues(text.Append("\ncookie="), cookies);
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return string.Concat(Prefix, policy.Service, ":", Convert.ToHexString(hash));
    }

    private static void AppendValues(StringBuilder text, IEnumerable<string> values)
    {
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                text.Append('\u0001'); // never in a header value: "a,b" as one value is not two values
            }

            text.Append(value);
            first = false;
        }
    }
}
