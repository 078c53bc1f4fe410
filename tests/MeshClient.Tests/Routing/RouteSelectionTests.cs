using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class RouteSelectionTests
{
    [Fact]
    public async Task Routes_FirstMatchingRouteWins_InDeclarationOrder()
    {
        using var harness = Mesh(s =>
        {
            var a = Direct(201);
            a.Match.Add(Uri(StringMatchOptions.ForPrefix("/a")));
            var ab = Direct(202); // shadowed by /a, as in Envoy: order, not specificity
            ab.Match.Add(Uri(StringMatchOptions.ForPrefix("/a/b")));
            var c = Direct(203);
            c.Match.Add(Uri(StringMatchOptions.ForExact("/c")));
            s.Http.Add(a);
            s.Http.Add(ab);
            s.Http.Add(c);
            s.Http.Add(Direct(204));
        });

        async Task<int> StatusAsync(string path)
        {
            using var response = await harness.GetAsync("https://api.example.com" + path);
            return (int)response.StatusCode;
        }

        Assert.Equal(201, await StatusAsync("/a/b/c"));
        Assert.Equal(201, await StatusAsync("/a"));
        Assert.Equal(203, await StatusAsync("/c"));
        Assert.Equal(204, await StatusAsync("/c/d"));
        Assert.Equal(204, await StatusAsync("/"));
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Route_HeaderMatch_SendsToTheSubset()
    {
        using var harness = Mesh(s =>
        {
            var jason = Route(To("api.example.com", "v2"));
            jason.Match.Add(new HttpMatchOptions { Headers = { ["end-user"] = StringMatchOptions.ForExact("jason") } });
            s.Http.Add(jason);
            s.Http.Add(Route(To("api.example.com", "v1")));
        });

        for (var i = 0; i < 3; i++)
        {
            using var jasons = await harness.GetAsync("https://api.example.com/", ("end-user", "jason"));
            using var others = await harness.GetAsync("https://api.example.com/", ("end-user", "bob"));
            Assert.Equal(("10.0.0.2:443", "outbound|443|v2|api.example.com"), (jasons.GetMeshResult()!.Endpoint, jasons.GetMeshResult()!.Cluster));
            Assert.Equal(("10.0.0.1:443", "outbound|443|v1|api.example.com"), (others.GetMeshResult()!.Endpoint, others.GetMeshResult()!.Cluster));
        }
    }

    [Fact]
    public async Task Route_WeightedSubsets_SplitExactlyAtTheWire()
    {
        using var harness = Mesh(s => s.Http.Add(Route(To("api.example.com", "v1", 80), To("api.example.com", "v2", 20))));

        for (var i = 0; i < 200; i++)
        {
            using var response = await harness.GetAsync("https://api.example.com/");
        }

        var counts = harness.Handler.Seen.GroupBy(s => s.Target).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(160, counts["10.0.0.1:443"]);
        Assert.Equal(40, counts["10.0.0.2:443"]);
    }

    [Fact]
    public async Task Route_NoMatch_Returns404NR()
    {
        using var harness = Mesh(s =>
        {
            var only = Route(To("api.example.com"));
            only.Match.Add(Uri(StringMatchOptions.ForPrefix("/api")));
            s.Http.Add(only);
        });

        using var response = await harness.GetAsync("https://api.example.com/other");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NR", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal("", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(MeshResponseFlags.NoRouteFound, response.GetMeshResult()!.Flags);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Route_NoMatch_ThrowMode_ThrowsUnmatchedNoRouteException()
    {
        using var harness = Mesh(
            s =>
            {
                var only = Route(To("api.example.com"));
                only.Match.Add(Uri(StringMatchOptions.ForPrefix("/api")));
                s.Http.Add(only);
            },
            mesh: m => m.FailureMode = MeshFailureMode.Throw);

        var exception = await Assert.ThrowsAsync<MeshNoRouteException>(() => harness.GetAsync("https://api.example.com/other?x=1"));

        Assert.True(exception.IsUnmatched);
        Assert.Equal(HttpStatusCode.NotFound, exception.StatusCode);
        Assert.Equal(MeshResponseFlags.NoRouteFound, exception.Flags);
        Assert.Equal(("api.example.com", 443), (exception.Host, exception.Port));
        Assert.Equal(
            "No route matched the request to 'api.example.com:443/other': every HTTP route of the host has match conditions and none held. Add a route without match conditions as the last one to catch the rest.",
            exception.Message);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Route_UndeclaredSubset_Returns503NC()
    {
        using var harness = Mesh(s => s.Http.Add(Route(To("api.example.com", "v3"))));

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("NC", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal(
            "cluster not found: external service 'api.example.com' port 443 has no subset 'v3', which the route sends to",
            await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(MeshResponseFlags.NoClusterFound, response.GetMeshResult()!.Flags);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Route_UnregisteredHost_RegistryOnly_Returns502NR()
    {
        using var harness = Mesh(s => s.Http.Add(Route(To("elsewhere.example.org"))), mesh: m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly);

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("NR", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal("elsewhere.example.org", response.Headers.GetValues(MeshResponses.BlockedHostHeader).Single());
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Route_UnregisteredHost_AllowAny_Returns503NC()
    {
        using var harness = Mesh(s => s.Http.Add(Route(To("elsewhere.example.org"))), mesh: m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.AllowAny);

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("NC", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal(
            "cluster not found: no external service declares host 'elsewhere.example.org' port 443, which the route sends to",
            await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Route_ToAnotherRegisteredService_UsesItsCluster()
    {
        using var harness = Mesh(
            s => s.Http.Add(Route(To("backend.example.com"))),
            more: services => services.AddMeshExternalService("backend.example.com", b => MeshHarness.Static(b, 443, "10.0.9.9")));

        using var response = await harness.GetAsync("https://api.example.com/orders");

        var result = response.GetMeshResult()!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("outbound|443||backend.example.com", result.Cluster);
        Assert.Equal("10.0.9.9:443", result.Endpoint);
        Assert.Equal("10.0.9.9:443", harness.Handler.Seen.Single().Target);
    }

    [Fact]
    public async Task Route_ToAnotherServiceWithOnePort_UsesThatPort()
    {
        using var harness = Mesh(
            s => s.Http.Add(Route(To("backend.example.com"))),
            more: services => services.AddMeshExternalService("backend.example.com", b => MeshHarness.Static(b, 8080, "10.0.9.9")));

        using var response = await harness.GetAsync("https://api.example.com/");

        Assert.Equal("outbound|8080||backend.example.com", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public void Routes_OneCatchAll_NoRouteIsEvaluated()
    {
        using var harness = Mesh(_ => { });

        var route = harness.Runtime.OnlyRoute();
        Assert.True(route.Definition.IsCatchAll);
        Assert.Equal("outbound|443||api.example.com", Assert.Single(route.Targets).Cluster!.Name);
    }

    [Fact]
    public async Task Route_MatchPort_RouteOnlyOnThatPortsVirtualHost()
    {
        using var harness = Mesh(s =>
        {
            s.Ports.Add(new ServicePortOptions(8443, "alt", ServiceProtocol.Https));
            var alt = Direct(299);
            alt.Match.Add(new HttpMatchOptions { Port = 8443 });
            s.Http.Add(alt);
            s.Http.Add(Route(To("api.example.com")));
        });

        using var onAlt = await harness.GetAsync("https://api.example.com:8443/");
        using var onMain = await harness.GetAsync("https://api.example.com/");

        Assert.Equal(299, (int)onAlt.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onMain.StatusCode);
        Assert.Single(harness.Runtime.RouteOf("api.example.com", 443).Definition.Destinations);
    }
}
