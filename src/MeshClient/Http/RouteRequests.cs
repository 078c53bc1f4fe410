using MeshClient.Routing;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>What a route does to a request before its attempts and to the response after them: rewrites, header operations, redirects.</summary>
internal static class RouteRequests
{
    /// <summary>The header Envoy sends with the path a rewrite replaced.</summary>
    public const string OriginalPathHeader = "x-envoy-original-path";

    /// <summary>
    /// Rewrites the path and the authority and applies the request header operations, the
    /// destination's first, then the route's (Envoy's default order: the route's win a conflict).
    /// </summary>
    public static void Apply(HttpRequestMessage request, Uri uri, MeshRoute route, RouteMatch? matched, RouteTarget target)
    {
        var definition = route.Definition;
        var destination = target.Destination;
        if (definition.PathRewrite is { } rewrite)
        {
            var path = uri.AbsolutePath;
            var rewritten = rewrite.Apply(path, matched?.Uri);
            if (!string.Equals(path, rewritten, StringComparison.Ordinal))
            {
                request.Headers.Remove(OriginalPathHeader);
                request.Headers.TryAddWithoutValidation(OriginalPathHeader, uri.PathAndQuery);
                request.RequestUri = new Uri(string.Concat(uri.GetLeftPart(UriPartial.Authority), rewritten.StartsWith('/') ? rewritten : "/" + rewritten, uri.Query));
            }
        }

        if ((destination.AuthorityRewrite ?? definition.AuthorityRewrite) is { } authority)
        {
            request.Headers.Host = authority;
        }

        destination.RequestHeaders?.Apply(request);
        definition.RequestHeaders?.Apply(request);
    }

    /// <summary>Applies the response header operations of the route (and of the chosen destination) to <paramref name="response"/>.</summary>
    public static HttpResponseMessage Respond(MeshRoute? route, RouteTarget? target, HttpResponseMessage response)
    {
        target?.Destination.ResponseHeaders?.Apply(response);
        route?.Definition.ResponseHeaders?.Apply(response);
        return response;
    }

    /// <summary>
    /// Envoy's redirect: the request URI with the configured parts replaced; the query is kept.
    /// <paramref name="match"/> is the uri condition of the match block that matched, for <c>prefixRewrite</c>.
    /// </summary>
    public static Uri RedirectLocation(Uri uri, RedirectDefinition redirect, StringMatcher? match = null)
    {
        var scheme = redirect.Scheme ?? uri.Scheme;
        var host = redirect.Authority ?? uri.Authority;
        var authorityHasPort = redirect.Authority is { } a && a.LastIndexOf(':') > a.LastIndexOf(']');
        var port = redirect.Port ?? redirect.DerivePort switch
        {
            Configuration.RedirectPortSelection.FromProtocolDefault => null, // the scheme's default
            Configuration.RedirectPortSelection.FromRequestPort => uri.Port,
            _ => redirect.Authority is null && redirect.Scheme is null && !uri.IsDefaultPort ? uri.Port : null,
        };
        if (redirect.Authority is null)
        {
            host = uri.IdnHost.Contains(':', StringComparison.Ordinal) ? $"[{uri.IdnHost}]" : uri.IdnHost;
        }
        else if (authorityHasPort && redirect.Port is not null)
        {
            host = host[..host.LastIndexOf(':')];
        }

        var path = redirect.Path ?? redirect.PrefixRewrite?.Apply(uri.AbsolutePath, match) ?? uri.AbsolutePath;
        var portText = port is { } p && !IsDefault(scheme, p) ? ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
        return new Uri($"{scheme}://{host}{portText}{(path.StartsWith('/') ? path : "/" + path)}{uri.Query}");
    }

    private static bool IsDefault(string scheme, int port) =>
        (port == 80 && string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase))
        || (port == 443 && string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase));
}
