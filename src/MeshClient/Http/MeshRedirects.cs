using System.Net;

namespace MeshClient.Http;

/// <summary>
/// Redirects, followed above the mesh as <see cref="HttpClientHandler"/> would below an application
/// without it: 301/302 turn POST into GET, 303 turns anything but HEAD into GET, 307/308 keep the
/// method and body; HTTPS to HTTP and non-HTTP locations are not followed; <c>Authorization</c> is
/// dropped, and on a hop to another host so are <see cref="Configuration.MeshOptions.RedirectRemovedHeaders"/>;
/// after the limit the last <c>3xx</c> is returned. Every hop is routed again by
/// <see cref="MeshRoutingHandler"/> (registry, outbound policy, route), as a sidecar sees each hop as
/// a new request.
/// </summary>
internal static class MeshRedirects
{
    /// <summary>Prepares <paramref name="request"/> for the hop to <paramref name="location"/>.</summary>
    public static void PrepareNextHop(HttpRequestMessage request, HttpResponseMessage response, Uri location, string[] removedOnOtherHost)
    {
        if (request.RequestUri is { } from
            && Uri.Compare(from, location, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            // The Host header belongs to the server it was written for: the next one gets its own
            // (from the location), as a browser sends it.
            request.Headers.Host = null;
            foreach (var name in removedOnOtherHost)
            {
                request.Headers.Remove(name);
            }
        }

        if (RequiresGet(response.StatusCode, request.Method))
        {
            request.Method = HttpMethod.Get;
            request.Content = null;
            request.Headers.TransferEncodingChunked = false;
        }

        request.RequestUri = location;
        request.Headers.Authorization = null;
    }

    /// <summary>The absolute location to follow, or <see langword="null"/> when the response is not a redirect to follow.</summary>
    internal static Uri? GetRedirectUri(HttpResponseMessage response, Uri? requestUri)
    {
        if (!IsRedirect(response.StatusCode))
        {
            return null;
        }

        var location = response.Headers.Location;
        if (location is null || requestUri is null || !requestUri.IsAbsoluteUri)
        {
            return null;
        }

        if (!location.IsAbsoluteUri)
        {
            location = new Uri(requestUri, location);
        }

        // Keep the fragment of the original request when the location has none (RFC 9110 §10.2.2).
        if (string.IsNullOrEmpty(location.Fragment) && !string.IsNullOrEmpty(requestUri.Fragment))
        {
            location = new UriBuilder(location) { Fragment = requestUri.Fragment }.Uri;
        }

        var scheme = location.Scheme;
        if (!string.Equals(scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (string.Equals(requestUri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
            && string.Equals(scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase))
        {
            return null; // never downgrade
        }

        return location;
    }

    public static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.Moved
        or HttpStatusCode.Found
        or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect
        or HttpStatusCode.MultipleChoices
        or HttpStatusCode.PermanentRedirect;

    private static bool RequiresGet(HttpStatusCode status, HttpMethod method) => status switch
    {
        HttpStatusCode.Moved or HttpStatusCode.Found or HttpStatusCode.MultipleChoices => method == HttpMethod.Post,
        HttpStatusCode.SeeOther => method != HttpMethod.Get && method != HttpMethod.Head,
        _ => false,
    };
}
