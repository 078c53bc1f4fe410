using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Health;

[Trait("Area", "OutlierDetection")]
public sealed class OutlierDetectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The advantage over a sidecar (istio/istio#17521): MeshClient originates the TLS, so the 503
    /// inside HTTPS is a status code it counts, not opaque bytes.
    /// </summary>
    [Fact]
    public async Task Https_EndpointAnswering503_EjectedAfterConsecutive5xxErrorsAndTrafficMovesToTheOther()
    {
        using var certificates = new TestCertificates();
        using var certificate = certificates.CreateServerCertificate("api.example.com");
        await using var good = await Upstream.StartAsync("good", certificate);
        await using var bad = await Upstream.StartAsync("bad", certificate, static context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        using var mesh = new MeshHost(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHost.Static(s, 443, "https", (good.Port, 1), (bad.Port, 1));
                s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions
                {
                    Consecutive5xxErrors = 3,
                    AlwaysEjectOneHost = true, // 2 endpoints: the default 10 % would eject nothing
                    BaseEjectionTime = TimeSpan.FromMinutes(5),
                };
            }),
            certificates);
        var client = mesh.CreateClient("api.example.com");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20 && bad.Requests < 3; i++)
        {
            using var response = await client.GetAsync("/orders", Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/orders", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"127.0.0.1:{good.Port}", response.GetMeshResult()!.Endpoint);
        }

        Assert.Equal(3, bad.Requests); // exactly consecutive5xxErrors, then none
        var cluster = Assert.Single(mesh.Runtime.GetClusters(), c => c.ServiceName == "api.example.com");
        var ejected = Assert.Single(cluster.Endpoints, e => e.Health.IsEjected);
        Assert.Equal($"127.0.0.1:{bad.Port}", ejected.Authority);
    }
}
