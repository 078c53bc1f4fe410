using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Tls;

/// <summary>
/// HTTP/2 through TLS origination: the application calls <c>http://</c> with version 2.0, the mesh offers
/// <c>h2</c> in ALPN and <see cref="SocketsHttpHandler"/> speaks HTTP/2 over the TLS the mesh opened;
/// against Kestrel HTTPS servers on 127.0.0.1 that report the protocol they saw.
/// </summary>
[Trait("Area", "Tls")]
public sealed class TlsHttp2Tests : IDisposable
{
    private const string Host = "api.example.test";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2)]
    [InlineData(HttpProtocols.Http2)]
    public async Task Http2Request_ExactVersion_SpokenAsHttp2OverTheOriginatedTls(HttpProtocols protocols)
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("h2", certificate, Protocol, protocols: protocols);
        using var mesh = Mesh(upstream);
        var client = mesh.CreateClient();

        using var first = await client.SendAsync(Request(HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact), Ct);
        using var second = await client.SendAsync(Request(HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrHigher), Ct);

        Assert.Equal("HTTP/2", await first.Content.ReadAsStringAsync(Ct));
        Assert.Equal("HTTP/2", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpVersion.Version20, first.Version);
        Assert.Single(upstream.Connections); // both streams on one HTTP/2 connection
        Assert.Equal("http", first.RequestMessage!.RequestUri!.Scheme); // the application's URI, untouched
        Assert.Null(first.RequestMessage.Headers.Host);
        Assert.Equal([Host], upstream.SniNames.ToArray()); // one handshake, SNI the host
    }

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2, "HTTP/2")]
    [InlineData(HttpProtocols.Http1, "HTTP/1.1")]
    public async Task Http2Request_VersionOrLower_NegotiatedByAlpn(HttpProtocols protocols, string expected)
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("h", certificate, Protocol, protocols: protocols);
        using var mesh = Mesh(upstream);

        using var response = await mesh.CreateClient().SendAsync(Request(HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrLower), Ct);

        Assert.Equal(expected, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal([Host], upstream.Hosts.ToArray()); // the Host header the application's URI gives
    }

    [Fact]
    public async Task Http2Request_ExactVersion_ServerWithoutHttp2_503Uf()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("h1", certificate, Protocol, protocols: HttpProtocols.Http1);
        using var mesh = Mesh(upstream);

        using var response = await mesh.CreateClient().SendAsync(Request(HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.GetMeshResult()!.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure));
        Assert.Equal(0, upstream.Requests);
    }

    [Fact]
    public async Task Http2Request_UntrustedServer_RejectedByTheClusterCaCheck()
    {
        using var other = new TlsFiles("Other CA");
        using var certificate = other.Server([Host]);
        await using var upstream = await Upstream.StartAsync("h2", certificate, Protocol, protocols: HttpProtocols.Http1AndHttp2);
        using var mesh = Mesh(upstream);

        using var response = await mesh.CreateClient().SendAsync(Request(HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("is not trusted", response.GetMeshResult()!.UpstreamTransportFailureReason, StringComparison.Ordinal);
        Assert.Equal(0, upstream.Requests);
    }

    [Fact]
    public async Task Http11Request_ServerWithBoth_StaysHttp11()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("h1", certificate, Protocol, protocols: HttpProtocols.Http1AndHttp2);
        using var mesh = Mesh(upstream);

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("HTTP/1.1", body);
    }

    [Fact]
    public async Task Http2Request_ExplicitSni_ServerWithoutHttp2_503UfNamingTheAlpnChoice()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("h1", certificate, Protocol, protocols: HttpProtocols.Http1);
        using var mesh = Mesh(upstream, sni: Host);

        using var response = await mesh.CreateClient().SendAsync(Request(HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure));
        Assert.Contains("the request needs HTTP/2", result.UpstreamTransportFailureReason, StringComparison.Ordinal);
        Assert.Contains("the server chose 'http/1.1' in ALPN", result.UpstreamTransportFailureReason, StringComparison.Ordinal);
        Assert.Equal(0, upstream.Requests);
    }

    private static Task Protocol(HttpContext context) => context.Response.WriteAsync(context.Request.Protocol, context.RequestAborted);

    private static HttpRequestMessage Request(Version version, HttpVersionPolicy policy) =>
        new(HttpMethod.Get, $"http://{Host}/") { Version = version, VersionPolicy = policy };

    private MeshHost Mesh(Upstream upstream, string? sni = null) => new(services =>
    {
        services.AddMesh(o => o.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 });
        services.AddMeshExternalService(Host, s =>
        {
            MeshHost.Static(s, 80, "http", (upstream.Port, 1));
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath, Sni = sni };
        });
    });
}
