using MeshClient.Routing;

namespace MeshClient.Runtime;

/// <summary>The live routes for one host and port, tried in order; the first whose match holds wins.</summary>
internal sealed class MeshVirtualHost(string serviceName, MeshRoute[] routes)
{
    private readonly MeshRoute? _catchAll = routes.Length == 1 && routes[0].Definition.IsCatchAll ? routes[0] : null;

    public string ServiceName { get; } = serviceName;

    public MeshRoute[] Routes { get; } = routes;

    /// <summary>The route for <paramref name="request"/> and the match block that held; <see langword="null"/> when no route matches (Envoy's 404 <c>NR</c>).</summary>
    public MeshRoute? Match(HttpRequestMessage request, Uri uri, out RouteMatch? matched)
    {
        matched = null;
        if (_catchAll is not null)
        {
            return _catchAll; // the common case: one route for everything, nothing to evaluate
        }

        var routes = Routes;
        for (var i = 0; i < routes.Length; i++)
        {
            if (routes[i].Definition.TryMatch(request, uri, out matched))
            {
                return routes[i];
            }
        }

        return null;
    }
}
