using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Connections;

/// <summary>Istio <c>connectionPool.http.h2UpgradePolicy</c> against Kestrel on 127.0.0.1 over cleartext.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class Http2UpgradeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly RequestDelegate EchoProtocol = context => context.Response.WriteAsync(context.Request.Protocol, context.RequestAborted);

    private static MeshHost Mesh(int port, H2UpgradePolicy policy) => new(services => services.AddMeshExternalService("httpbin.example.com", s =>
    {
        MeshHost.Static(s, 80, "http", (port, 1));
        s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { H2UpgradePolicy = policy } };
    }));

    /// <summary>UPGRADE: the application's HTTP/1.1 requests reach an HTTP/2-only (h2c) server as HTTP/2, on one connection.</summary>
    [Fact]
    public async Task Upgrade_Http11RequestsToH2cServer_ArriveAsHttp2OnOneConnection()
    {
        await using var backend = await Upstream.StartAsync("httpbin", handler: EchoProtocol, protocols: HttpProtocols.Http2);
        using var mesh = Mesh(backend.Port, H2UpgradePolicy.Upgrade);
        var client = mesh.CreateClient("httpbin.example.com");

        var protocols = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "http://httpbin.example.com/get") { Version = HttpVersion.Version11 };
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
            protocols.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal(["HTTP/2", "HTTP/2", "HTTP/2"], protocols);
        Assert.Single(backend.Connections);
    }

    /// <summary>Without UPGRADE the request's own version is sent: HTTP/1.1 to a server that speaks both over cleartext.</summary>
    [Fact]
    public async Task Default_Http11Request_ArrivesAsHttp11()
    {
        await using var backend = await Upstream.StartAsync("httpbin", handler: EchoProtocol, protocols: HttpProtocols.Http1AndHttp2);
        using var mesh = Mesh(backend.Port, H2UpgradePolicy.Default);

        var protocol = await mesh.CreateClient("httpbin.example.com").GetStringAsync("http://httpbin.example.com/get", Ct);

        Assert.Equal("HTTP/1.1", protocol);
    }

    /// <summary>UPGRADE to a server that speaks only HTTP/1.1 fails (Envoy's upgraded cluster does too): h2 prior knowledge is a requirement.</summary>
    [Fact]
    public async Task Upgrade_Http1OnlyServer_FailsAsAnUpstreamError()
    {
        await using var backend = await Upstream.StartAsync("httpbin", handler: EchoProtocol, protocols: HttpProtocols.Http1);
        using var mesh = Mesh(backend.Port, H2UpgradePolicy.Upgrade);

        using var response = await mesh.CreateClient("httpbin.example.com").GetAsync("http://httpbin.example.com/get", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotEqual(MeshResponseFlags.None, response.GetMeshResult()!.Flags);
    }
}
