using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Http;

/// <summary>
/// The routing key: MeshClient routes on the request URI's host; an application Host header must lead
/// to the same external service (or the request is refused with 421), so that routing, SNI and the
/// certificate check agree and a Host header cannot steer a request around the outbound policy.
/// </summary>
[Trait("Area", "Reliability")]
public sealed class HostHeaderRoutingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MeshHarness Mesh(Action<MeshOptions>? mesh = null, RecordingHandler? upstream = null) => new(services =>
    {
        services.AddMesh(mesh);
        services.AddMeshExternalService("a.example.com", s =>
        {
            MeshHarness.Static(s, 443, "10.0.0.1");
            s.Hosts.Add("alias.example.com");
        });
        services.AddMeshExternalService("b.example.com", s => MeshHarness.Static(s, 443, "10.0.0.2"));

        // Resolution NONE: connections go where the URI says, the case a Host header could abuse.
        services.AddMeshExternalService("open.example.com", s => s.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https)));
    }, upstream);

    private static async Task<HttpResponseMessage> SendAsync(MeshHarness harness, string url, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Host = host;
        return await harness.CreateClient().SendAsync(request, Ct);
    }

    [Theory]
    [InlineData("a.example.com")]
    [InlineData("A.Example.COM")]
    [InlineData("a.example.com:443")]
    [InlineData("a.example.com.")]
    [InlineData("alias.example.com")] // another host of the same service: the same routes and endpoints
    public async Task HostHeader_SameService_IsRoutedAndSentAsWritten(string host)
    {
        using var harness = Mesh();

        using var response = await SendAsync(harness, "https://a.example.com/", host);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal(("10.0.0.1:443", host), (sent.Target, sent.Host));
    }

    [Theory]
    [InlineData("https://a.example.com/", "b.example.com", "a.example.com:443")] // another declared service
    [InlineData("https://a.example.com/", "evil.example.net", "a.example.com:443")] // an undeclared host
    [InlineData("https://open.example.com/", "b.example.com:443", "open.example.com:443")] // resolution NONE would connect to the URI's host
    [InlineData("https://evil.example.net/", "a.example.com", "evil.example.net:443")] // ALLOW_ANY passthrough dressed as a service
    public async Task HostHeader_AnotherService_Refused421NR_NothingSent(string url, string host, string authority)
    {
        using var harness = Mesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.AllowAny);

        using var response = await SendAsync(harness, url, host);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Equal("NR", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal(MeshResponseFlags.NoRouteFound, response.GetMeshResult()!.Flags);
        Assert.Equal(
            $"Request to '{authority}' refused: its Host header '{host}' names another service. "
            + "MeshClient routes on the request URI's host, while the Host header decides SNI and the certificate name, so the two must name the same external service. "
            + "Put the host you mean in the request URI (the mesh sends it to that service's endpoints), or use a VirtualService authority rewrite to change the Host header.",
            await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task HostHeader_BothUndeclared_UnderAllowAny_PassesThroughAsWritten()
    {
        using var harness = Mesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.AllowAny);

        using var response = await SendAsync(harness, "https://one.example.net/", "two.example.net");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("two.example.net", sent.Host);
    }

    [Fact]
    public async Task HostHeader_AnotherService_ThrowMode_ThrowsNoRouteExceptionNamingTheHeader()
    {
        using var harness = Mesh(m => m.FailureMode = MeshFailureMode.Throw);

        var exception = await Assert.ThrowsAsync<MeshNoRouteException>(() => SendAsync(harness, "https://a.example.com/", "[::1]:8443"));

        Assert.Equal(HttpStatusCode.MisdirectedRequest, exception.StatusCode);
        Assert.Equal(MeshResponseFlags.NoRouteFound, exception.Flags);
        Assert.Equal(("a.example.com", 443, "[::1]:8443"), (exception.Host, exception.Port, exception.HostHeader));
        Assert.False(exception.IsUnmatched);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public void BlockedAndUnmatchedExceptions_HaveNoHostHeader()
    {
        Assert.Null(new MeshNoRouteException("a.example.com", 443).HostHeader);
    }

    [Fact]
    public async Task Redirect_ToAnotherService_DropsTheApplicationsHostHeader()
    {
        var upstream = new RecordingHandler((request, _) =>
        {
            if (request.RequestUri!.AbsolutePath == "/moved")
            {
                var moved = new HttpResponseMessage(HttpStatusCode.Found);
                moved.Headers.Location = new Uri("https://b.example.com/here");
                return Task.FromResult(moved);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        using var harness = Mesh(upstream: upstream);

        using var response = await SendAsync(harness, "https://a.example.com/moved", "alias.example.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [("10.0.0.1:443", "alias.example.com"), ("10.0.0.2:443", null)],
            harness.Handler.Seen.Select(s => (s.Target, s.Host)).ToArray());
    }

    [Theory]
    [InlineData("a.example.com", "a.example.com")]
    [InlineData("a.example.com:8080", "a.example.com")]
    [InlineData("[::1]:8080", "::1")]
    [InlineData("[::1]", "::1")]
    [InlineData(" a.example.com ", "a.example.com")]
    public void HostOf_StripsPortAndBrackets(string header, string host) =>
        Assert.Equal(host, MeshRouter.HostOf(header));
}
