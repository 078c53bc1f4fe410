using MeshClient.Configuration;
using MeshClient.Routing;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class QueryParamMatcherTests
{
    private static QueryParamMatcher Query(StringMatchOptions options) =>
        new("v", StringMatcher.Compile(options, false, out _)!);

    [Theory]
    // kind, value, query, expected
    [InlineData("exact", "2", "?v=2", true)]
    [InlineData("exact", "2", "v=2", true)]
    [InlineData("exact", "2", "?a=1&v=2&b=3", true)]
    [InlineData("exact", "2", "?v=1&v=2", false)] // only the first parameter with the name counts
    [InlineData("exact", "1", "?v=1&v=2", true)]
    [InlineData("exact", "2", "?vv=2", false)]
    [InlineData("exact", "2", "?V=2", false)] // names are case-sensitive
    [InlineData("exact", "2", "", false)]
    [InlineData("exact", "", "?v", true)] // ?v has the empty value
    [InlineData("exact", "", "?v=", true)]
    [InlineData("exact", "", "?v=1", false)]
    [InlineData("exact", "a b", "?v=a%20b", false)] // the raw, undecoded value
    [InlineData("exact", "a%20b", "?v=a%20b", true)]
    [InlineData("present", "", "?v", true)]
    [InlineData("present", "", "?v=anything", true)]
    [InlineData("present", "", "?w=1", false)]
    [InlineData("present", "", "", false)]
    [InlineData("regex", "[0-9]+", "?v=42", true)]
    [InlineData("regex", "[0-9]+", "?v=42x", false)] // the whole value
    [InlineData("regex", "[0-9]+", "?v", false)]
    public void Matches_TruthTable(string kind, string value, string query, bool expected)
    {
        var options = kind switch
        {
            "present" => new StringMatchOptions(),
            "exact" => StringMatchOptions.ForExact(value),
            _ => StringMatchOptions.ForRegex(value),
        };

        Assert.Equal(expected, Query(options).Matches(query));
    }

    [Fact]
    public void CompileMatch_PrefixOnQueryParam_RejectedAsInIstio()
    {
        var block = new HttpMatchOptions { QueryParams = { ["v"] = StringMatchOptions.ForPrefix("1") } };

        Assert.Null(RouteCompiler.CompileMatch(block, out var problems));
        Assert.Equal([("queryParams.v.prefix", ": Invalid value: query parameters match exactly or by regex, not by prefix (as in Istio).")], problems);
    }
}
