using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class RouteRequestsTests
{
    private static async Task<Upstreamed> SendThroughAsync(HttpRouteOptions route, string url, params (string Name, string Value)[] headers)
    {
        var capture = new Capture();
        using var harness = Mesh(s => s.Http.Add(route), capture);
        using var response = await harness.GetAsync(url, headers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return capture.Single;
    }

    private static HttpRouteOptions Rewrite(HttpMatchOptions? match, HttpRewriteOptions rewrite)
    {
        var route = Route(To("api.example.com"));
        if (match is not null)
        {
            route.Match.Add(match);
        }

        route.Rewrite = rewrite;
        return route;
    }

    [Fact]
    public async Task Rewrite_PrefixMatch_ReplacesTheMatchedPrefixKeepsQueryAndSendsOriginalPath()
    {
        var seen = await SendThroughAsync(
            Rewrite(Uri(StringMatchOptions.ForPrefix("/v1/")), new HttpRewriteOptions { Uri = "/api/v2/" }),
            "https://api.example.com/v1/users/7?page=2");

        Assert.Equal("/api/v2/users/7?page=2", seen.PathAndQuery);
        Assert.Equal("/v1/users/7?page=2", seen.Header(RouteRequests.OriginalPathHeader));
    }

    [Fact]
    public async Task Rewrite_ExactMatch_ReplacesTheWholePath()
    {
        var seen = await SendThroughAsync(
            Rewrite(Uri(StringMatchOptions.ForExact("/old")), new HttpRewriteOptions { Uri = "/brand/new" }),
            "https://api.example.com/old?x=1");

        Assert.Equal("/brand/new?x=1", seen.PathAndQuery);
        Assert.Equal("/old?x=1", seen.Header(RouteRequests.OriginalPathHeader));
    }

    [Fact]
    public async Task Rewrite_NoUriMatch_ReplacesTheLeadingSlash()
    {
        var seen = await SendThroughAsync(Rewrite(null, new HttpRewriteOptions { Uri = "/prefix/" }), "https://api.example.com/users");

        Assert.Equal("/prefix/users", seen.PathAndQuery);
    }

    [Fact]
    public async Task Rewrite_MatchOnAnotherField_ReplacesTheLeadingSlash()
    {
        var seen = await SendThroughAsync(
            Rewrite(new HttpMatchOptions { Method = StringMatchOptions.ForExact("GET") }, new HttpRewriteOptions { Uri = "/prefix/" }),
            "https://api.example.com/users");

        Assert.Equal("/prefix/users", seen.PathAndQuery);
    }

    [Fact]
    public async Task Rewrite_RegexWithCaptureReferences_RewritesThePath()
    {
        // Envoy's documented example: /service/foo/v1/api → /v1/api/instance/foo.
        var seen = await SendThroughAsync(
            Rewrite(null, new HttpRewriteOptions { UriRegexRewrite = new RegexRewriteOptions { Match = "^/service/([^/]+)(/.*)$", Rewrite = @"\2/instance/\1" } }),
            "https://api.example.com/service/foo/v1/api?q=1");

        Assert.Equal("/v1/api/instance/foo?q=1", seen.PathAndQuery);
        Assert.Equal("/service/foo/v1/api?q=1", seen.Header(RouteRequests.OriginalPathHeader));
    }

    [Fact]
    public async Task Rewrite_RegexReplacementWithDollar_IsLiteral()
    {
        var seen = await SendThroughAsync(
            Rewrite(null, new HttpRewriteOptions { UriRegexRewrite = new RegexRewriteOptions { Match = "/a", Rewrite = "/$1x" } }),
            "https://api.example.com/a");

        Assert.Equal("/$1x", System.Uri.UnescapeDataString(seen.PathAndQuery));
    }

    [Fact]
    public async Task Rewrite_PathUnchanged_NoOriginalPathHeader()
    {
        var seen = await SendThroughAsync(
            Rewrite(Uri(StringMatchOptions.ForPrefix("/same")), new HttpRewriteOptions { Uri = "/same" }),
            "https://api.example.com/same/x");

        Assert.Equal("/same/x", seen.PathAndQuery);
        Assert.Null(seen.Header(RouteRequests.OriginalPathHeader));
    }

    [Fact]
    public async Task Rewrite_Authority_IsTheHostHeaderAtTheUpstream()
    {
        var capture = new Capture();
        using var harness = Mesh(s => s.Http.Add(Rewrite(null, new HttpRewriteOptions { Authority = "internal.example.com" })), capture);

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal("internal.example.com", capture.Single.Host);
        Assert.Equal("10.0.0.1:443", harness.Handler.Seen.Single().Target); // still the service's endpoint
    }

    [Fact]
    public async Task Headers_RequestSetAddRemove_AtRouteLevel()
    {
        var route = Route(To("api.example.com"));
        route.Headers = new HeadersOptions
        {
            Request = new HeaderOperationsOptions
            {
                Set = { ["x-set"] = "route" },
                Add = { ["x-add"] = "added" },
                Remove = { "x-secret" },
            },
        };

        var seen = await SendThroughAsync(route, "https://api.example.com/", ("x-set", "caller"), ("x-add", "caller"), ("x-secret", "s3cr3t"), ("x-other", "kept"));

        Assert.Equal("route", seen.Header("x-set"));
        Assert.Equal("caller,added", seen.Header("x-add"));
        Assert.Null(seen.Header("x-secret"));
        Assert.Equal("kept", seen.Header("x-other"));
    }

    [Fact]
    public async Task Headers_DestinationAndRoute_RouteWinsAConflict()
    {
        var destination = To("api.example.com");
        destination.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["x-who"] = "destination", ["x-dest"] = "1" } } };
        var route = Route(destination);
        route.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["x-who"] = "route" } } };

        var seen = await SendThroughAsync(route, "https://api.example.com/");

        Assert.Equal("route", seen.Header("x-who"));
        Assert.Equal("1", seen.Header("x-dest"));
    }

    [Fact]
    public async Task Headers_DestinationLevel_OnlyForThatDestination()
    {
        var v1 = To("api.example.com", "v1", 1);
        v1.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["x-subset"] = "v1" } } };
        var v2 = To("api.example.com", "v2", 1);
        v2.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["x-subset"] = "v2" } } };
        var capture = new Capture();
        using var harness = Mesh(s => s.Http.Add(Route(v1, v2)), capture);

        for (var i = 0; i < 4; i++)
        {
            using var response = await harness.GetAsync("https://api.example.com/");
        }

        var byTarget = harness.Handler.Seen.Select(s => s.Target).Zip(capture.Requests, (target, seen) => (target, seen.Header("x-subset")));
        Assert.All(byTarget, pair => Assert.Equal(pair.target == "10.0.0.1:443" ? "v1" : "v2", pair.Item2));
        Assert.Equal(2, capture.Requests.Count(r => r.Header("x-subset") == "v2"));
    }

    [Fact]
    public async Task Headers_HostSetInRequestOperations_IsTheAuthorityRewrite()
    {
        var route = Route(To("api.example.com"));
        route.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["host"] = "other.example.com" } } };

        var seen = await SendThroughAsync(route, "https://api.example.com/");

        Assert.Equal("other.example.com", seen.Host);
    }

    [Fact]
    public async Task Headers_ResponseSetAddRemove_AtRouteAndDestinationLevel()
    {
        var destination = To("api.example.com");
        destination.Headers = new HeadersOptions { Response = new HeaderOperationsOptions { Set = { ["x-from"] = "destination", ["x-dest"] = "yes" } } };
        var route = Route(destination);
        route.Headers = new HeadersOptions
        {
            Response = new HeaderOperationsOptions
            {
                Set = { ["x-from"] = "route" },
                Add = { ["x-added"] = "1" },
                Remove = { "x-internal", "content-type" },
            },
        };
        using var harness = Mesh(s => s.Http.Add(route), new Capture(("x-internal", "secret"), ("x-added", "0")));

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal("route", response.Headers.GetValues("x-from").Single());
        Assert.Equal("yes", response.Headers.GetValues("x-dest").Single());
        Assert.Equal(["0", "1"], response.Headers.GetValues("x-added"));
        Assert.False(response.Headers.Contains("x-internal"));
        Assert.Null(response.Content.Headers.ContentType); // a content header, removed from the content's collection
        Assert.Equal("upstream", await response.Content.ReadAsStringAsync(Ct));
    }
}
