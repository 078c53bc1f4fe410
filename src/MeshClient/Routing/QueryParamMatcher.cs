namespace MeshClient.Routing;

/// <summary>
/// One query-parameter condition (Istio <c>queryParams</c>): the first parameter with the name, its
/// raw (undecoded) value matched exactly, by a whole-value regex, or for presence (<c>?key</c> has the
/// empty value). Scans the query in place, allocating nothing.
/// </summary>
internal sealed record QueryParamMatcher(string Name, StringMatcher Matcher)
{
    public bool Matches(string query)
    {
        var rest = query.AsSpan();
        if (rest.Length > 0 && rest[0] == '?')
        {
            rest = rest[1..];
        }

        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('&');
            var pair = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (key.SequenceEqual(Name))
            {
                return Matcher.Matches(equals < 0 ? default : pair[(equals + 1)..]);
            }
        }

        return false;
    }
}
