using System.Net;
using System.Text;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Routing;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class RedirectAndDirectResponseTests
{
    [Theory]
    // request, uri, authority, port, scheme, expected Location
    [InlineData("https://api.example.com/old?q=1", "/new", null, null, null, "https://api.example.com/new?q=1")]
    [InlineData("https://api.example.com/old?q=1", null, "other.example.com", null, null, "https://other.example.com/old?q=1")]
    [InlineData("https://api.example.com:8443/old", null, null, null, null, "https://api.example.com:8443/old")] // a non-default port is kept
    [InlineData("https://api.example.com:8443/old", null, "other.example.com", null, null, "https://other.example.com/old")] // a new authority drops it
    [InlineData("https://api.example.com:8443/old", null, null, null, "http", "http://api.example.com/old")] // so does a new scheme
    [InlineData("https://api.example.com/old", null, null, 9443, null, "https://api.example.com:9443/old")]
    [InlineData("https://api.example.com/old", null, null, 443, null, "https://api.example.com/old")] // the scheme's default port is not written
    [InlineData("http://api.example.com/old", null, null, 443, "https", "https://api.example.com/old")]
    [InlineData("https://api.example.com/old", null, "other.example.com:9000", 9100, null, "https://other.example.com:9100/old")] // port replaces the authority's
    [InlineData("https://api.example.com/old", null, "other.example.com:9000", null, null, "https://other.example.com:9000/old")]
    [InlineData("https://api.example.com/old", "relative", null, null, null, "https://api.example.com/relative")]
    [InlineData("http://[::1]:8080/old", "/new", null, null, null, "http://[::1]:8080/new")]
    public void RedirectLocation_ReplacesTheConfiguredPartsKeepsTheQuery(string request, string? uri, string? authority, int? port, string? scheme, string expected)
    {
        var location = RouteRequests.RedirectLocation(new Uri(request), new RedirectDefinition(uri, authority, port, scheme, 301));

        Assert.Equal(expected, location.AbsoluteUri);
    }

    [Theory]
    // request, derivePort, scheme, authority, expected Location
    [InlineData("http://api.example.com:8080/a", RedirectPortSelection.FromRequestPort, "https", null, "https://api.example.com:8080/a")] // kept across the new scheme
    [InlineData("http://api.example.com:8080/a", RedirectPortSelection.FromRequestPort, null, "other.example.com", "http://other.example.com:8080/a")] // and the new authority
    [InlineData("http://api.example.com/a", RedirectPortSelection.FromRequestPort, "https", null, "https://api.example.com:80/a")] // the request's port, written when not the new scheme's default
    [InlineData("https://api.example.com:8443/a", RedirectPortSelection.FromProtocolDefault, null, null, "https://api.example.com/a")] // dropped, even with nothing else changed
    [InlineData("http://api.example.com:8080/a", RedirectPortSelection.FromProtocolDefault, "https", null, "https://api.example.com/a")]
    public void RedirectLocation_DerivePort(string request, RedirectPortSelection derive, string? scheme, string? authority, string expected)
    {
        var location = RouteRequests.RedirectLocation(new Uri(request), new RedirectDefinition(null, authority, null, scheme, 301) { DerivePort = derive });

        Assert.Equal(expected, location.AbsoluteUri);
    }

    [Theory]
    // request, the matched uri condition (kind:value, or none), prefixRewrite, expected Location
    [InlineData("https://api.example.com/v1/orders/7?x=1", "prefix:/v1/", "/v2/", "https://api.example.com/v2/orders/7?x=1")] // the matched prefix is replaced, the query kept
    [InlineData("https://api.example.com/v1/orders", "prefix:/v1", "/api/v1", "https://api.example.com/api/v1/orders")]
    [InlineData("https://api.example.com/old", "exact:/old", "/new", "https://api.example.com/new")] // an exact match: the whole path
    [InlineData("https://api.example.com/users/42", "regex:/users/[0-9]+", "/people", "https://api.example.com/people")] // a regex match: the whole path
    [InlineData("https://api.example.com/any/path", "none", "/root/", "https://api.example.com/root/any/path")] // no uri condition: Envoy's implicit "/"
    public void RedirectLocation_PrefixRewrite_ReplacesTheMatchedPart(string request, string condition, string prefixRewrite, string expected)
    {
        var match = condition switch
        {
            "none" => null,
            _ when condition.StartsWith("prefix:", StringComparison.Ordinal) => StringMatcher.Compile(StringMatchOptions.ForPrefix(condition["prefix:".Length..]), ignoreCase: false, out _),
            _ when condition.StartsWith("exact:", StringComparison.Ordinal) => StringMatcher.Compile(StringMatchOptions.ForExact(condition["exact:".Length..]), ignoreCase: false, out _),
            _ => StringMatcher.Compile(StringMatchOptions.ForRegex(condition["regex:".Length..]), ignoreCase: false, out _),
        };

        var location = RouteRequests.RedirectLocation(new Uri(request), new RedirectDefinition(null, null, null, null, 301) { PrefixRewrite = PathRewrite.Prefix(prefixRewrite) }, match);

        Assert.Equal(expected, location.AbsoluteUri);
    }

    [Fact]
    public async Task Redirect_PrefixRewriteAndRequestPort_TheMatchingBlocksPrefixIsReplaced()
    {
        using var harness = Mesh(s =>
        {
            var moved = new HttpRouteOptions
            {
                Redirect = new HttpRedirectOptions { PrefixRewrite = "/v2/", Scheme = "https", DerivePort = RedirectPortSelection.FromRequestPort, RedirectCode = 308 },
            };
            moved.Match.Add(Uri(StringMatchOptions.ForPrefix("/legacy/v1/")));
            moved.Match.Add(Uri(StringMatchOptions.ForPrefix("/v1/")));
            s.Http.Add(moved);
            s.Http.Add(Route(To("api.example.com")));
        });

        using var second = await harness.GetAsync("https://api.example.com/v1/orders?id=7");
        using var first = await harness.GetAsync("https://api.example.com/legacy/v1/orders");

        Assert.Equal(HttpStatusCode.PermanentRedirect, second.StatusCode);
        Assert.Equal(new Uri("https://api.example.com/v2/orders?id=7"), second.Headers.Location); // 443, the request's port: not written
        Assert.Equal(new Uri("https://api.example.com/v2/orders"), first.Headers.Location);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Redirect_AnsweredInProcess_WithStatusAndLocation()
    {
        using var harness = Mesh(s =>
        {
            var moved = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/v2/orders", Authority = "new.example.com", RedirectCode = 308 } };
            moved.Match.Add(Uri(StringMatchOptions.ForPrefix("/v1")));
            s.Http.Add(moved);
            s.Http.Add(Route(To("api.example.com")));
        });

        using var response = await harness.GetAsync("https://api.example.com/v1/orders?id=7");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(new Uri("https://new.example.com/v2/orders?id=7"), response.Headers.Location);
        Assert.False(response.Headers.Contains(MeshResponses.FlagsHeader));
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Redirect_DefaultCode_Is301()
    {
        using var harness = Mesh(s => s.Http.Add(new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/elsewhere" } }));

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(new Uri("https://api.example.com/elsewhere"), response.Headers.Location);
    }

    [Fact]
    public async Task Redirect_WithAutoRedirect_TheNextHopIsRoutedAgain()
    {
        var capture = new Capture();
        using var harness = Mesh(
            s =>
            {
                var moved = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/new", RedirectCode = 302 } };
                moved.Match.Add(Uri(StringMatchOptions.ForExact("/old")));
                s.Http.Add(moved);
                s.Http.Add(Route(To("api.example.com")));
            },
            capture,
            mesh: m => m.AllowAutoRedirect = true);

        using var response = await harness.GetAsync("https://api.example.com/old?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/new?x=1", capture.Single.PathAndQuery);
    }

    [Fact]
    public async Task DirectResponse_StatusAndBody_NoUpstreamAttempt()
    {
        using var harness = Mesh(s => s.Http.Add(Direct(503, "maintenance")));

        using var response = await harness.GetAsync("https://api.example.com/anything");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("maintenance", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.False(response.Headers.Contains(MeshResponses.FlagsHeader));
        Assert.Equal(MeshResponseFlags.None, response.GetMeshResult()!.Flags);
        Assert.Empty(harness.Handler.Seen);
        Assert.All(harness.Runtime.GetClusters().SelectMany(c => c.Endpoints), e => Assert.Equal(0, e.Requests));
    }

    [Fact]
    public async Task DirectResponse_Bytes_AndResponseHeaderOperations()
    {
        using var harness = Mesh(s =>
        {
            var route = new HttpRouteOptions
            {
                DirectResponse = new HttpDirectResponseOptions { Status = 200, BodyBytes = Encoding.UTF8.GetBytes("{\"ok\":true}") },
                Headers = new HeadersOptions { Response = new HeaderOperationsOptions { Set = { ["x-served-by"] = "mesh" } } },
            };
            s.Http.Add(route);
        });

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("mesh", response.Headers.GetValues("x-served-by").Single());
    }

    [Fact]
    public async Task DirectResponse_NoBody_EmptyResponse()
    {
        using var harness = Mesh(s => s.Http.Add(Direct(204)));

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
    }
}
