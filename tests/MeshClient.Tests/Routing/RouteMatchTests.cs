using MeshClient.Configuration;
using MeshClient.Routing;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class RouteMatchTests
{
    private static RouteMatch Compile(HttpMatchOptions block)
    {
        var match = RouteCompiler.CompileMatch(block, out var problems);
        Assert.Empty(problems);
        return match!;
    }

    private static bool Matches(RouteMatch match, string url, string method = "GET", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return match.Matches(request, request.RequestUri!);
    }

    [Fact]
    public void Matches_EveryConditionOfABlock_MustHold()
    {
        var match = Compile(new HttpMatchOptions
        {
            Uri = StringMatchOptions.ForPrefix("/api"),
            Method = StringMatchOptions.ForExact("POST"),
            Headers = { ["x-user"] = StringMatchOptions.ForExact("jason") },
            QueryParams = { ["debug"] = StringMatchOptions.ForExact("1") },
        });

        Assert.True(Matches(match, "https://api.example.com/api/x?debug=1", "POST", ("x-user", "jason")));
        Assert.False(Matches(match, "https://api.example.com/other?debug=1", "POST", ("x-user", "jason")));
        Assert.False(Matches(match, "https://api.example.com/api/x?debug=1", "GET", ("x-user", "jason")));
        Assert.False(Matches(match, "https://api.example.com/api/x?debug=1", "POST", ("x-user", "other")));
        Assert.False(Matches(match, "https://api.example.com/api/x?debug=0", "POST", ("x-user", "jason")));
    }

    [Fact]
    public void Matches_EmptyBlock_MatchesEverything()
    {
        Assert.True(Matches(Compile(new HttpMatchOptions()), "http://api.example.com/anything?x=1", "DELETE"));
    }

    [Fact]
    public void Matches_IgnoreUriCase_AppliesToTheUriOnly()
    {
        var match = Compile(new HttpMatchOptions
        {
            Uri = StringMatchOptions.ForExact("/Api"),
            IgnoreUriCase = true,
            Headers = { ["x-user"] = StringMatchOptions.ForExact("Jason") },
        });

        Assert.True(Matches(match, "https://api.example.com/API", "GET", ("x-user", "Jason")));
        Assert.False(Matches(match, "https://api.example.com/API", "GET", ("x-user", "jason")));
    }

    [Fact]
    public void Matches_UriIsThePathWithoutTheQuery()
    {
        var match = Compile(new HttpMatchOptions { Uri = StringMatchOptions.ForExact("/users") });

        Assert.True(Matches(match, "https://api.example.com/users?page=2"));
    }

    [Fact]
    public void Matches_SchemeMethodAuthorityAndPort()
    {
        var scheme = Compile(new HttpMatchOptions { Scheme = StringMatchOptions.ForExact("https") });
        var method = Compile(new HttpMatchOptions { Method = StringMatchOptions.ForRegex("GET|HEAD") });
        var authority = Compile(new HttpMatchOptions { Authority = StringMatchOptions.ForExact("api.example.com:8443") });
        var port = Compile(new HttpMatchOptions { Port = 8443 });

        Assert.True(Matches(scheme, "https://api.example.com/"));
        Assert.False(Matches(scheme, "http://api.example.com/"));
        Assert.True(Matches(method, "https://api.example.com/", "HEAD"));
        Assert.False(Matches(method, "https://api.example.com/", "POST"));
        Assert.True(Matches(authority, "https://api.example.com:8443/"));
        Assert.False(Matches(authority, "https://api.example.com/"));
        Assert.True(Matches(authority, "https://api.example.com/", "GET", ("Host", "api.example.com:8443"))); // the Host header, when set
        Assert.True(Matches(port, "http://api.example.com:8443/"));
        Assert.False(Matches(port, "https://api.example.com/"));
    }

    [Fact]
    public void CompileMatch_HeaderKeysNamingPseudoHeaders_AreIgnoredAsInIstio()
    {
        var match = Compile(new HttpMatchOptions { Headers = { ["uri"] = StringMatchOptions.ForExact("/never") } });

        Assert.Empty(match.Headers);
        Assert.True(Matches(match, "https://api.example.com/other"));
    }

    [Fact]
    public void CompileMatch_EveryProblem_WithItsRelativeField()
    {
        RouteCompiler.CompileMatch(
            new HttpMatchOptions
            {
                Uri = StringMatchOptions.ForRegex("("),
                Method = new StringMatchOptions { Exact = "GET", Regex = "GET" },
                Headers = { ["x-a"] = StringMatchOptions.ForPrefix("") },
                WithoutHeaders = { ["x-b"] = StringMatchOptions.ForRegex(new string('a', 1025)) },
            },
            out var problems);

        Assert.Equal(["uri", "method", "headers.x-a", "withoutHeaders.x-b"], problems.Select(p => p.Field));
    }

    [Fact]
    public void TryMatch_SeveralBlocks_AreORedAndTheFirstThatHoldsIsReturned()
    {
        var route = new RouteDefinition
        {
            Matches =
            [
                Compile(new HttpMatchOptions { Name = "users", Uri = StringMatchOptions.ForPrefix("/users") }),
                Compile(new HttpMatchOptions { Name = "beta", Headers = { ["x-beta"] = new StringMatchOptions() } }),
            ],
        };

        Assert.Equal("users", Match(route, "/users/1", beta: true));
        Assert.Equal("beta", Match(route, "/orders", beta: true));
        Assert.Equal("-", Match(route, "/orders", beta: false));
        Assert.Null(Match(new RouteDefinition(), "/anything", beta: false)); // a catch-all: matched, with no block
    }

    private static string? Match(RouteDefinition route, string path, bool beta)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com" + path);
        if (beta)
        {
            request.Headers.Add("x-beta", "1");
        }

        return route.TryMatch(request, request.RequestUri!, out var matched) ? matched?.Name : "-";
    }
}
