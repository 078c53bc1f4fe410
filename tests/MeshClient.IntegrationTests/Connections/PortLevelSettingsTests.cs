using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Connections;

/// <summary>
/// Istio <c>trafficPolicy.portLevelSettings</c> on real connections: two ports of one service, one of
/// them with a port-level connection pool, behave differently at the servers behind them.
/// </summary>
[Trait("Area", "ConnectionPool")]
public sealed class PortLevelSettingsTests
{
    private const string Host = "api.example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoPorts_PortLevelMaxRequestsPerConnectionOnOne_OnlyThatPortOpensAConnectionPerRequest()
    {
        await using var plain = await Upstream.StartAsync("plain");
        await using var limited = await Upstream.StartAsync("limited");
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http"));
            s.Ports.Add(new ServicePortOptions(8080, "http-alt"));
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = plain.Port, ["http-alt"] = limited.Port } });
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
            {
                Port = 8080,
                ConnectionPool = new ConnectionPoolOptions { Http = { MaxRequestsPerConnection = 1 } },
            });
        }));
        var client = mesh.CreateClient();

        for (var i = 0; i < 4; i++)
        {
            foreach (var url in (string[])[$"http://{Host}/", $"http://{Host}:8080/"])
            {
                using var response = await client.GetAsync(new Uri(url), Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await response.Content.ReadAsStringAsync(Ct); // the connection is free for the next request
            }
        }

        Assert.Equal((4, 4), (plain.Requests, limited.Requests));
        Assert.Equal(4, Assert.Single(plain.Connections).Value); // the service's defaults: one kept-alive connection
        Assert.Equal(4, limited.Connections.Count); // the port-level pool: a connection per request
        Assert.All(limited.Connections.Values, requests => Assert.Equal(1, requests));
    }
}
