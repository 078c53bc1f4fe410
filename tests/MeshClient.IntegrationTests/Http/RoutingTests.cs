using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

[Trait("Area", "Routing")]
public sealed class RoutingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>api.example.com:80 over <paramref name="v1"/> (version v1) and <paramref name="v2"/> (version v2), with subsets v1 and v2.</summary>
    private static MeshHost Mesh(Upstream v1, Upstream v2, params HttpRouteOptions[] routes) =>
        new(services => services.AddMeshExternalService("api.example.com", s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http"));
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = v1.Port }, Labels = { ["version"] = "v1" } });
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = v2.Port }, Labels = { ["version"] = "v2" } });
            s.Subsets.Add(new SubsetOptions { Name = "v1", Labels = { ["version"] = "v1" } });
            s.Subsets.Add(new SubsetOptions { Name = "v2", Labels = { ["version"] = "v2" } });
            foreach (var route in routes)
            {
                s.Http.Add(route);
            }
        }));

    private static HttpRouteDestinationOptions To(string subset, int? weight = null) =>
        new() { Destination = new DestinationOptions { Host = "api.example.com", Subset = subset }, Weight = weight };

    [Fact]
    public async Task WeightedSubsets_80_20_ExactAtTheServers()
    {
        await using var v1 = await Upstream.StartAsync("v1");
        await using var v2 = await Upstream.StartAsync("v2");
        using var mesh = Mesh(v1, v2, new HttpRouteOptions { Route = { To("v1", 80), To("v2", 20) } });
        var client = mesh.CreateClient("api.example.com");

        var bodies = new Dictionary<string, int>();
        for (var i = 0; i < 200; i++)
        {
            var body = await client.GetStringAsync("/", Ct);
            bodies[body] = bodies.GetValueOrDefault(body) + 1;
        }

        // The smooth weighted schedule is exact over every 100 requests.
        Assert.Equal(160, bodies["v1"]);
        Assert.Equal(40, bodies["v2"]);
        Assert.Equal((160, 40), (v1.Requests, v2.Requests));
        Assert.All(v1.Hosts.Concat(v2.Hosts), host => Assert.Equal("api.example.com", host));
    }

    [Fact]
    public async Task HeaderMatch_RoutesToTheSubset()
    {
        await using var v1 = await Upstream.StartAsync("v1");
        await using var v2 = await Upstream.StartAsync("v2");
        var jason = new HttpRouteOptions { Route = { To("v2") } };
        jason.Match.Add(new HttpMatchOptions { Headers = { ["end-user"] = StringMatchOptions.ForExact("jason") } });
        using var mesh = Mesh(v1, v2, jason, new HttpRouteOptions { Route = { To("v1") } });
        var client = mesh.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var asJason = new HttpRequestMessage(HttpMethod.Get, "http://api.example.com/reviews");
            asJason.Headers.Add("end-user", "jason");
            using var jasonResponse = await client.SendAsync(asJason, Ct);
            Assert.Equal("v2", await jasonResponse.Content.ReadAsStringAsync(Ct));
            Assert.Equal("outbound|80|v2|api.example.com", jasonResponse.GetMeshResult()!.Cluster);

            Assert.Equal("v1", await client.GetStringAsync("http://api.example.com/reviews", Ct));
        }

        Assert.Equal((5, 5), (v1.Requests, v2.Requests));
    }

    [Fact]
    public async Task PrefixRewrite_SeenByTheServer_WithTheOriginalPath()
    {
        await using var echo = await Upstream.StartAsync("echo", handler: context =>
            context.Response.WriteAsync($"{context.Request.Path}{context.Request.QueryString} {context.Request.Headers["x-envoy-original-path"]} {context.Request.Host}", context.RequestAborted));
        var rewrite = new HttpRouteOptions { Route = { To("v1") }, Rewrite = new HttpRewriteOptions { Uri = "/api/v2/" } };
        rewrite.Match.Add(new HttpMatchOptions { Uri = StringMatchOptions.ForPrefix("/v1/") });
        using var mesh = Mesh(echo, echo, rewrite);

        var body = await mesh.CreateClient().GetStringAsync("http://api.example.com/v1/users/7?page=2", Ct);

        Assert.Equal("/api/v2/users/7?page=2 /v1/users/7?page=2 api.example.com", body);
    }
}
