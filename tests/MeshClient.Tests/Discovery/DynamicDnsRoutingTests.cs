using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Discovery;

/// <summary>Requests to a DYNAMIC_DNS service, on the in-memory wire.</summary>
[Trait("Area", "Discovery")]
public sealed class DynamicDnsRoutingTests
{
    [Fact]
    public async Task Send_Http3ToADynamicDnsHost_CappedBelowHttp3_SoTheMeshResolvesIt()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("*.svc.example.com", s =>
        {
            s.Resolution = ServiceResolution.DynamicDns;
            s.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://a.svc.example.com/") { Version = System.Net.HttpVersion.Version30, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await harness.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal((System.Net.HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrLower), (sent.Version, sent.VersionPolicy));
        Assert.Equal("a.svc.example.com", sent.Uri.Host);
        Assert.Equal("outbound|443||*.svc.example.com", response.GetMeshResult()!.Cluster);
    }
}
