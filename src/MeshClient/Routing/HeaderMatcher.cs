namespace MeshClient.Routing;

/// <summary>
/// One header condition of a route match (Istio <c>headers</c> / <c>withoutHeaders</c>). Several
/// values of a header are read joined by commas, as Envoy does; <paramref name="Invert"/> negates
/// the result, a missing header then counting as an empty value (except for a presence match).
/// </summary>
internal sealed record HeaderMatcher(string Name, StringMatcher Matcher, bool Invert)
{
    public bool Matches(HttpRequestMessage request)
    {
        var present = TryGet(request, Name, out var value);
        if (Matcher.Kind == StringMatchKind.Present)
        {
            return present != Invert;
        }

        return Matcher.Matches(present ? value : string.Empty) != Invert;
    }

    private static bool TryGet(HttpRequestMessage request, string name, out string value)
    {
        if (request.Headers.NonValidated.TryGetValues(name, out var values)
            || (request.Content is { } content && content.Headers.NonValidated.TryGetValues(name, out values)))
        {
            // One value (the usual case) is returned as it is; several are joined once.
            value = values.Count == 1 ? First(values) : string.Join(',', values);
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static string First(System.Net.Http.Headers.HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return value;
        }

        return string.Empty;
    }
}
