using System.Text.RegularExpressions;

namespace MeshClient.Routing;

/// <summary>
/// A compiled path rewrite: Envoy's <c>prefix_rewrite</c> (Istio <c>rewrite.uri</c>) or
/// <c>regex_rewrite</c> (<c>rewrite.uriRegexRewrite</c>).
/// </summary>
internal sealed class PathRewrite
{
    private readonly string? _prefix;
    private readonly Regex? _regex;
    private readonly string? _replacement;

    private PathRewrite(string? prefix, Regex? regex, string? replacement)
    {
        _prefix = prefix;
        _regex = regex;
        _replacement = replacement;
    }

    public static PathRewrite Prefix(string value) => new(value, null, null);

    /// <summary>A regex rewrite; RE2's <c>\1</c> capture references are read as .NET's <c>$1</c>.</summary>
    public static PathRewrite Regex(Regex regex, string replacement) =>
        new(null, regex, System.Text.RegularExpressions.Regex.Replace(replacement.Replace("$", "$$", StringComparison.Ordinal), @"\\(\d)", "$${$1}"));

    /// <summary>The new path for <paramref name="path"/>, which the route matched with <paramref name="match"/> (its uri condition, if any).</summary>
    public string Apply(string path, StringMatcher? match)
    {
        if (_regex is not null)
        {
            return _regex.Replace(path, _replacement!);
        }

        // The matched part: the prefix of a prefix match, the whole path of an exact or regex match,
        // and Envoy's implicit "/" prefix when the route does not match on the path.
        var matched = match?.Kind switch
        {
            StringMatchKind.Prefix => match.Value.Length,
            StringMatchKind.Exact or StringMatchKind.Regex => path.Length,
            _ => path.StartsWith('/') ? 1 : 0,
        };
        return string.Concat(_prefix, path.AsSpan(Math.Min(matched, path.Length)));
    }
}
