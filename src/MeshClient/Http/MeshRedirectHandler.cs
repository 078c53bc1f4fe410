using System.Net;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// Follows redirects above the mesh, as <see cref="HttpClientHandler"/> would below an application
/// without it: every hop goes through <see cref="MeshRoutingHandler"/> again, so the registry, the
/// outbound policy and the route apply to the new host (as a sidecar sees each hop as a new
/// request). Rules as <see cref="HttpClientHandler"/>'s: 301/302 turn POST into GET, 303 turns
/// anything but HEAD into GET, 307/308 keep the method and body; HTTPS to HTTP and non-HTTP
/// locations are not followed; <c>Authorization</c> is dropped; after the limit the last
/// <c>3xx</c> is returned. Holds no state of its own.
/// </summary>
internal sealed class MeshRedirectHandler : DelegatingHandler
{
    private readonly MeshRuntime _runtime;

    public MeshRedirectHandler(MeshRuntime runtime) => _runtime = runtime;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var maxRedirects = _runtime.State.Snapshot.MaxRedirects;
        var sending = base.SendAsync(request, cancellationToken);
        if (maxRedirects == 0 || (sending.IsCompletedSuccessfully && !IsRedirect(sending.Result.StatusCode)))
        {
            return sending; // the common case: no state machine (FollowAsync looks at the Location)
        }

        return FollowAsync(sending, request, maxRedirects, cancellationToken);
    }

    /// <summary>Synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/>: the same path, waited for (the mesh's handlers below are asynchronous).</summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private async Task<HttpResponseMessage> FollowAsync(Task<HttpResponseMessage> sending, HttpRequestMessage request, int maxRedirects, CancellationToken cancellationToken)
    {
        var response = await sending.ConfigureAwait(false);
        for (var redirects = 0; redirects < maxRedirects; redirects++)
        {
            var location = GetRedirectUri(response, request.RequestUri);
            if (location is null)
            {
                return response;
            }

            if (RequiresGet(response.StatusCode, request.Method))
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
                request.Headers.TransferEncodingChunked = false;
            }

            request.RequestUri = location;
            request.Headers.Authorization = null;
            response.Dispose();
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return response;
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

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.Moved
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
