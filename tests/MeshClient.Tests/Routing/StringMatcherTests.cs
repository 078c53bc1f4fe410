using MeshClient.Configuration;
using MeshClient.Routing;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class StringMatcherTests
{
    private static StringMatcher Compile(StringMatchOptions options, bool ignoreCase = false)
    {
        var matcher = StringMatcher.Compile(options, ignoreCase, out var problem);
        Assert.Null(problem);
        return matcher!;
    }

    private static string Problem(StringMatchOptions options)
    {
        Assert.Null(StringMatcher.Compile(options, false, out var problem));
        return problem!;
    }

    [Theory]
    [InlineData("exact", "/api", false, "/api", true)]
    [InlineData("exact", "/api", false, "/api/", false)]
    [InlineData("exact", "/api", false, "/API", false)]
    [InlineData("exact", "/api", true, "/API", true)]
    [InlineData("exact", "", false, "", true)]
    [InlineData("exact", "", false, "x", false)]
    [InlineData("prefix", "/api", false, "/api", true)]
    [InlineData("prefix", "/api", false, "/api/users", true)]
    [InlineData("prefix", "/api", false, "/apiv2", true)]
    [InlineData("prefix", "/api", false, "/ap", false)]
    [InlineData("prefix", "/api", false, "/API/users", false)]
    [InlineData("prefix", "/api", true, "/API/users", true)]
    [InlineData("regex", "b.*", false, "bar", true)]
    [InlineData("regex", "b.*", false, "abar", false)] // the whole value, as Envoy's safe_regex
    [InlineData("regex", "b.*", false, "", false)]
    [InlineData("regex", "/users/[0-9]+", false, "/users/42", true)]
    [InlineData("regex", "/users/[0-9]+", false, "/users/42/orders", false)]
    [InlineData("regex", "a|b", false, "b", true)] // an alternation is anchored as a whole
    [InlineData("regex", "a|b", false, "ab", false)]
    [InlineData("regex", "(?P<id>[a-z]+)", false, "abc", true)] // RE2's named group syntax
    [InlineData("regex", "/api", true, "/API", false)] // ignoreUriCase does not apply to regexes (Istio)
    public void Matches_TruthTable(string kind, string value, bool ignoreCase, string input, bool expected)
    {
        var options = kind switch
        {
            "exact" => StringMatchOptions.ForExact(value),
            "prefix" => StringMatchOptions.ForPrefix(value),
            _ => StringMatchOptions.ForRegex(value),
        };

        Assert.Equal(expected, Compile(options, ignoreCase).Matches(input));
    }

    [Fact]
    public void Compile_NothingSet_IsAPresenceMatchThatMatchesAnyValue()
    {
        var matcher = Compile(new StringMatchOptions());

        Assert.Same(StringMatcher.Present, matcher);
        Assert.Equal(StringMatchKind.Present, matcher.Kind);
        Assert.True(matcher.Matches(""));
        Assert.True(matcher.Matches("anything"));
    }

    [Fact]
    public void Compile_TwoKinds_Rejected()
    {
        Assert.Equal(": Invalid value: set only one of exact, prefix and regex.", Problem(new StringMatchOptions { Exact = "a", Prefix = "a" }));
        Assert.Equal(": Invalid value: set only one of exact, prefix and regex.", Problem(new StringMatchOptions { Prefix = "a", Regex = "a" }));
    }

    [Fact]
    public void Compile_EmptyPrefixOrRegex_Rejected()
    {
        Assert.Equal(".prefix: Invalid value: prefix match must not be empty.", Problem(StringMatchOptions.ForPrefix("")));
        Assert.Equal(".regex: Invalid value: the regular expression must not be empty.", Problem(StringMatchOptions.ForRegex("")));
    }

    [Theory]
    [InlineData("(")]
    [InlineData("[a-")]
    [InlineData(@"(a)\1")] // a back-reference: not RE2, and the non-backtracking engine refuses it
    [InlineData("(?=a)a")] // a look-ahead
    public void Compile_UnsupportedRegex_RejectedWithThePattern(string pattern)
    {
        var problem = Problem(StringMatchOptions.ForRegex(pattern));

        Assert.StartsWith($".regex: Invalid value: '{pattern}' is not a supported regular expression (RE2 syntax, no back-references or look-arounds): ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_RegexLongerThan1024_Rejected()
    {
        Assert.NotNull(StringMatcher.Compile(StringMatchOptions.ForRegex(new string('a', 1024)), false, out _));
        Assert.Equal(
            ".regex: Invalid value: the regular expression is 1025 characters; at most 1024 are allowed.",
            Problem(StringMatchOptions.ForRegex(new string('a', 1025))));
    }

    [Fact]
    public void Matches_HostilePattern_IsLinearTime()
    {
        // (a+)+$ backtracks exponentially in a backtracking engine; NonBacktracking answers at once.
        var matcher = Compile(StringMatchOptions.ForRegex("(a+)+b"));

        Assert.False(matcher.Matches(new string('a', 50_000) + "c"));
    }
}
