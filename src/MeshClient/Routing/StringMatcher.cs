using System.Text.RegularExpressions;
using MeshClient.Configuration;

namespace MeshClient.Routing;

/// <summary>
/// A compiled Istio <c>StringMatch</c>: exact, prefix, a regular expression on the whole value, or
/// presence. Immutable; <see cref="Matches"/> allocates nothing.
/// </summary>
internal sealed class StringMatcher
{
    /// <summary>The longest pattern Istio accepts.</summary>
    public const int MaxRegexLength = 1024;

    private readonly string _value;
    private readonly Regex? _regex;
    private readonly StringComparison _comparison;

    private StringMatcher(StringMatchKind kind, string value, Regex? regex, bool ignoreCase)
    {
        Kind = kind;
        _value = value;
        _regex = regex;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    public StringMatchKind Kind { get; }

    public string Value => _value;

    public static StringMatcher Present { get; } = new(StringMatchKind.Present, string.Empty, null, false);

    public bool Matches(ReadOnlySpan<char> value) => Kind switch
    {
        StringMatchKind.Exact => value.Equals(_value, _comparison),
        StringMatchKind.Prefix => value.StartsWith(_value, _comparison),
        StringMatchKind.Regex => _regex!.IsMatch(value),
        _ => true,
    };

    /// <summary>
    /// Compiles <paramref name="options"/>; <see langword="null"/> with <paramref name="problem"/> set when
    /// it is invalid (more than one kind, an empty prefix or pattern, a pattern that does not compile).
    /// Nothing set compiles to <see cref="Present"/>.
    /// </summary>
    public static StringMatcher? Compile(StringMatchOptions options, bool ignoreCase, out string? problem)
    {
        problem = null;
        var kinds = (options.Exact is null ? 0 : 1) + (options.Prefix is null ? 0 : 1) + (options.Regex is null ? 0 : 1);
        if (kinds > 1)
        {
            problem = ": Invalid value: set only one of exact, prefix and regex.";
            return null;
        }

        if (options.Exact is { } exact)
        {
            return new StringMatcher(StringMatchKind.Exact, exact, null, ignoreCase);
        }

        if (options.Prefix is { } prefix)
        {
            if (prefix.Length == 0)
            {
                problem = ".prefix: Invalid value: prefix match must not be empty.";
                return null;
            }

            return new StringMatcher(StringMatchKind.Prefix, prefix, null, ignoreCase);
        }

        if (options.Regex is { } pattern)
        {
            var regex = CompileRegex(pattern, anchored: true, out var regexProblem);
            if (regex is null)
            {
                problem = ".regex" + regexProblem;
                return null;
            }

            return new StringMatcher(StringMatchKind.Regex, pattern, regex, false);
        }

        return Present;
    }

    /// <summary>
    /// Compiles an RE2 pattern for .NET's non-backtracking engine (linear time whatever the input): a
    /// hostile pattern cannot hang a request. <paramref name="anchored"/> makes it match the whole value,
    /// as Envoy's <c>safe_regex</c> does. <c>(?P&lt;name&gt;</c> groups are read as .NET's <c>(?&lt;name&gt;</c>.
    /// </summary>
    public static Regex? CompileRegex(string pattern, bool anchored, out string? problem)
    {
        problem = null;
        if (pattern.Length == 0)
        {
            problem = ": Invalid value: the regular expression must not be empty.";
            return null;
        }

        if (pattern.Length > MaxRegexLength)
        {
            problem = $": Invalid value: the regular expression is {pattern.Length} characters; at most {MaxRegexLength} are allowed.";
            return null;
        }

        var dotnet = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        try
        {
            return new Regex(anchored ? @"\A(?:" + dotnet + @")\z" : dotnet, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            problem = $": Invalid value: '{DiagnosticText.Cut(pattern)}' is not a supported regular expression (RE2 syntax, no back-references or look-arounds): {ex.Message}";
            return null;
        }
    }
}

/// <summary>What a <see cref="StringMatcher"/> compares.</summary>
internal enum StringMatchKind
{
    Present,
    Exact,
    Prefix,
    Regex,
}
