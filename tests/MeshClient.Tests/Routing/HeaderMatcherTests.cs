using MeshClient.Configuration;
using MeshClient.Routing;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class HeaderMatcherTests
{
    private static HeaderMatcher Header(StringMatchOptions options, bool invert = false) =>
        new("x-user", StringMatcher.Compile(options, false, out _)!, invert);

    private static HttpRequestMessage Request(params string[] values)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        if (values.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("X-User", values);
        }

        return request;
    }

    [Theory]
    // kind, value, invert, header values ("-" = absent), expected
    [InlineData("present", "", false, "jason", true)]
    [InlineData("present", "", false, "", true)]
    [InlineData("present", "", false, "-", false)]
    [InlineData("present", "", true, "jason", false)] // withoutHeaders {x-user: {}}: the header must be absent
    [InlineData("present", "", true, "-", true)]
    [InlineData("exact", "jason", false, "jason", true)]
    [InlineData("exact", "jason", false, "Jason", false)] // header values are case-sensitive
    [InlineData("exact", "jason", false, "-", false)]
    [InlineData("exact", "jason", true, "jason", false)]
    [InlineData("exact", "jason", true, "other", true)]
    [InlineData("exact", "jason", true, "-", true)] // a missing header is the empty value, which is not 'jason'
    [InlineData("prefix", "ja", false, "jason", true)]
    [InlineData("prefix", "ja", true, "-", true)]
    [InlineData("regex", ".*", true, "-", false)] // inverted, the missing header reads as "" and '.*' matches it
    [InlineData("regex", ".*", false, "-", false)] // not inverted, a missing header matches no value
    [InlineData("exact", "", false, "-", false)]
    [InlineData("regex", "j.*n", false, "jason", true)]
    [InlineData("regex", "j.*n", false, "xjason", false)]
    public void Matches_TruthTable(string kind, string value, bool invert, string header, bool expected)
    {
        var options = kind switch
        {
            "present" => new StringMatchOptions(),
            "exact" => StringMatchOptions.ForExact(value),
            "prefix" => StringMatchOptions.ForPrefix(value),
            _ => StringMatchOptions.ForRegex(value),
        };
        using var request = header == "-" ? Request() : Request(header);

        Assert.Equal(expected, Header(options, invert).Matches(request));
    }

    [Fact]
    public void Matches_SeveralValues_JoinedWithCommas()
    {
        using var request = Request("a", "b");

        Assert.True(Header(StringMatchOptions.ForExact("a,b")).Matches(request));
        Assert.False(Header(StringMatchOptions.ForExact("a")).Matches(request));
        Assert.True(Header(StringMatchOptions.ForRegex("a,.*")).Matches(request));
    }

    [Fact]
    public void Matches_ContentHeader_IsRead()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/") { Content = new StringContent("{}") };
        request.Content.Headers.ContentType = new("application/json");
        var matcher = new HeaderMatcher("content-type", StringMatcher.Compile(StringMatchOptions.ForPrefix("application/json"), false, out _)!, false);

        Assert.True(matcher.Matches(request));
    }

    [Fact]
    public void Matches_HeaderNameIsCaseInsensitive()
    {
        using var request = Request("jason");

        Assert.True(new HeaderMatcher("X-USER", StringMatcher.Compile(StringMatchOptions.ForExact("jason"), false, out _)!, false).Matches(request));
    }
}
