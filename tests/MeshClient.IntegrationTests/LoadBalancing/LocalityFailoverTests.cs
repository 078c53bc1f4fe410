using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class LocalityFailoverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Two Kestrel backends in two localities (both on 127.0.0.1, as every integration test): the
    /// client's own zone takes all the traffic; once outlier detection ejects it, the other region does.
    /// </summary>
    [Fact]
    public async Task Failover_NearEndpointEjected_TrafficMovesToTheOtherLocality()
    {
        var failing = 0;
        await using var near = await Upstream.StartAsync("near", handler: context =>
        {
            context.Response.StatusCode = Volatile.Read(ref failing) == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        await using var far = await Upstream.StartAsync("far");
        using var mesh = new MeshHost(services =>
        {
            services.Configure<MeshOptions>(o => o.Locality = "us-west/zone1/a");
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHost.Static(s, 80, "http", (near.Port, 1), (far.Port, 1));
                s.Endpoints[0].Locality = "us-west/zone1/a";
                s.Endpoints[1].Locality = "us-east/zone1/a";
                s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions
                {
                    Consecutive5xxErrors = 1,
                    MaxEjectionPercent = 100,
                    BaseEjectionTime = TimeSpan.FromMinutes(5),
                };
                s.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions
                {
                    Failover = { new LocalityFailoverOptions { From = "us-west", To = "us-east" } },
                };
            });
        });
        var client = mesh.CreateClient("api.example.com");

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/orders", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal((20, 0), (near.Requests, far.Requests)); // priority 0 healthy: no spill

        Volatile.Write(ref failing, 1);
        using (var failed = await client.GetAsync("/orders", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode); // the one 503 that ejects it
        }

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/orders", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"127.0.0.1:{far.Port}", response.GetMeshResult()!.Endpoint);
        }

        Assert.Equal(21, near.Requests);
    }
}
