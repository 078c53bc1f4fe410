using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

/// <summary>
/// A service's default cluster and its subset cluster send to a shared endpoint over the same
/// connections (equal wire settings), and over connections of their own when the subset's
/// connection pool settings differ.
/// </summary>
[Trait("Area", "Routing")]
public sealed class SubsetSharingTests
{
    private const string Host = "api.example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>api.example.com:80 over <paramref name="backend"/> (version v1): header <c>x-subset: v1</c> routes to subset v1, the rest to the default cluster.</summary>
    private static MeshHost Mesh(Upstream backend, TrafficPolicyOptions? subsetPolicy = null) =>
        new(services => services.AddMeshExternalService(Host, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http"));
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = backend.Port }, Labels = { ["version"] = "v1" } });
            s.Subsets.Add(new SubsetOptions { Name = "v1", Labels = { ["version"] = "v1" }, TrafficPolicy = subsetPolicy });
            var toSubset = new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Host, Subset = "v1" } } } };
            toSubset.Match.Add(new HttpMatchOptions { Headers = { ["x-subset"] = StringMatchOptions.ForExact("v1") } });
            s.Http.Add(toSubset);
            s.Http.Add(new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Host } } } });
        }));

    private static async Task<string[]> SendAlternatingAsync(MeshHost mesh)
    {
        var client = mesh.CreateClient();
        var clusters = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Host}/");
            if (i % 2 == 0)
            {
                request.Headers.Add("x-subset", "v1");
            }

            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(Ct); // the connection is free for the next request
            clusters.Add(response.GetMeshResult()!.Cluster!);
        }

        return [.. clusters];
    }

    [Fact]
    public async Task DefaultAndSubsetRoutes_SequentialRequests_ReuseOneConnection()
    {
        await using var backend = await Upstream.StartAsync("v1");
        using var mesh = Mesh(backend);

        var clusters = await SendAlternatingAsync(mesh);

        Assert.Equal(3, clusters.Count(c => c == $"outbound|80|v1|{Host}"));
        Assert.Equal(3, clusters.Count(c => c == $"outbound|80||{Host}"));
        Assert.Equal(6, backend.Requests);
        var connection = Assert.Single(backend.Connections); // before the clusters shared pools: one per cluster
        Assert.Equal(6, connection.Value);
    }

    [Fact]
    public async Task SubsetWithOwnConnectionPoolSettings_UsesItsOwnConnection()
    {
        await using var backend = await Upstream.StartAsync("v1");
        using var mesh = Mesh(backend, new TrafficPolicyOptions { ConnectionPool = new ConnectionPoolOptions { Tcp = { ConnectTimeout = TimeSpan.FromSeconds(3) } } });

        await SendAlternatingAsync(mesh);

        Assert.Equal(6, backend.Requests);
        Assert.Equal(2, backend.Connections.Count);
        Assert.All(backend.Connections.Values, requests => Assert.Equal(3, requests));
    }
}
