namespace MeshClient.Routing;

/// <summary>
/// One compiled condition block of a route (Istio <c>HTTPMatchRequest</c>): every condition set must
/// hold. Reads the request in place; exact, prefix and header matches allocate nothing.
/// </summary>
internal sealed class RouteMatch
{
    public string? Name { get; init; }

    public StringMatcher? Uri { get; init; }

    public StringMatcher? Scheme { get; init; }

    public StringMatcher? Method { get; init; }

    public StringMatcher? Authority { get; init; }

    public HeaderMatcher[] Headers { get; init; } = [];

    public QueryParamMatcher[] QueryParams { get; init; } = [];

    public int? Port { get; init; }

    public bool Matches(HttpRequestMessage request, Uri uri)
    {
        if (Port is { } port && port != uri.Port)
        {
            return false;
        }

        if (Uri is { } path && !path.Matches(uri.AbsolutePath))
        {
            return false;
        }

        if (Scheme is { } scheme && !scheme.Matches(uri.Scheme))
        {
            return false;
        }

        if (Method is { } method && !method.Matches(request.Method.Method))
        {
            return false;
        }

        if (Authority is { } authority && !authority.Matches(request.Headers.Host ?? uri.Authority))
        {
            return false;
        }

        var headers = Headers;
        for (var i = 0; i < headers.Length; i++)
        {
            if (!headers[i].Matches(request))
            {
                return false;
            }
        }

        var query = QueryParams;
        if (query.Length > 0)
        {
            var text = uri.Query;
            for (var i = 0; i < query.Length; i++)
            {
                if (!query[i].Matches(text))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
