using System.Net;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

/// <summary>A real Kestrel that resets the connection after it received the request: Envoy's UC, not UF.</summary>
[Trait("Area", "Reliability")]
public sealed class UpstreamResetTests
{
    [Fact]
    public async Task Post_ResetAfterTheRequestWasReceived_Is503UCAndCountsAgainstTheEndpoint()
    {
        await using var upstream = await Upstream.StartAsync("reset", handler: async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await reader.ReadToEndAsync(context.RequestAborted); // the whole request arrived
            context.Abort(); // then an RST instead of a response
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s => MeshHost.Static(s, 80, "http", (upstream.Port, 1))));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using var response = await mesh.CreateClient().PostAsync("http://api.example.com/orders", new StringContent("{\"id\":1}"), cts.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionTermination, response.GetMeshResult()!.Flags);
        Assert.Equal(1, upstream.Requests);
        var endpoint = mesh.Runtime.GetClusters().Single().Endpoints[0];
        Assert.Equal((1L, 1L), (endpoint.Requests, endpoint.Failures));
    }
}
