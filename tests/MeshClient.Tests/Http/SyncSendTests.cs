using System.Net;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Http;

/// <summary>The synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/> works on mesh clients (it threw NotSupportedException).</summary>
[Trait("Area", "Reliability")]
public sealed class SyncSendTests
{
    [Fact]
    public void Send_Synchronous_GoesThroughTheMesh()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1")));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/sync");

        using var response = harness.CreateClient().Send(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("10.0.0.1:443", Assert.Single(harness.Handler.Seen).Target);
        Assert.Equal("10.0.0.1:443", response.GetMeshResult()!.Endpoint);
    }

    [Fact]
    public void Send_SynchronousConnectionFailure_Returns503UF()
    {
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1")),
            RecordingHandler.Throwing(HttpRequestError.ConnectionError));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/sync");

        using var response = harness.CreateClient().Send(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        // Istio's default policy retried the connect failure twice, then ran out (URX).
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Equal(3, response.GetMeshResult()!.Attempts);
    }

    [Fact]
    public void Send_SynchronousBlockedHost_Returns502NR()
    {
        using var harness = new MeshHarness(services => services.AddMesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://blocked.example.org/");

        using var response = harness.CreateClient().Send(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }
}
