using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Discovery;

/// <summary>
/// TLS origination (DestinationRule <c>tls</c> SIMPLE with a private CA) on services resolved by DNS:
/// the connection's address comes from the mesh's name servers (<see cref="LoopbackDnsServer"/>), never
/// from the system resolver, which does not know <c>.test</c> names; the SNI and the certificate check
/// stay on the requested host.
/// </summary>
[Trait("Area", "Discovery")]
[Trait("Area", "Tls")]
public sealed class DnsTlsOriginationTests : IDisposable
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData(ServiceResolution.DynamicDns, "*.svc.test")]
    [InlineData(ServiceResolution.DnsRoundRobin, "a.svc.test")]
    [InlineData(ServiceResolution.Dns, "a.svc.test")]
    public async Task TlsOrigination_HostResolvedByTheMeshNameServers(ServiceResolution resolution, string serviceHost)
    {
        using var certificate = _pki.Server(["a.svc.test"]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var dns = new LoopbackDnsServer();
        dns.Set("a.svc.test", 30, "127.0.0.1");
        using var mesh = Mesh(dns, serviceHost, upstream.Port, resolution);

        using var response = await mesh.CreateClient().GetAsync($"http://a.svc.test:{upstream.Port}/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tls", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["a.svc.test"], upstream.SniNames.ToArray());
        Assert.Equal([$"a.svc.test:{upstream.Port}"], upstream.Hosts.ToArray());
        Assert.True(dns.Queries("a.svc.test") >= 1);
    }

    [Fact]
    public async Task DynamicDns_TlsOrigination_TwoNames_EachToItsAddress_EachCheckedAgainstItsName()
    {
        using var certificateA = _pki.Server(["a.svc.test"]);
        using var certificateB = _pki.Server(["b.svc.test"]);
        await using var a = await Upstream.StartAsync("a", certificateA);
        await using var b = await Upstream.StartAsync("b", certificateB, address: Second, port: a.Port);
        using var dns = new LoopbackDnsServer();
        dns.Set("a.svc.test", 30, "127.0.0.1");
        dns.Set("b.svc.test", 30, "127.0.0.2");
        dns.Set("c.svc.test", 30, "127.0.0.2");
        using var mesh = Mesh(dns, "*.svc.test", a.Port, ServiceResolution.DynamicDns);
        var client = mesh.CreateClient();

        Assert.Equal("a", await client.GetStringAsync($"http://a.svc.test:{a.Port}/", Ct));
        Assert.Equal("b", await client.GetStringAsync($"http://b.svc.test:{a.Port}/", Ct));

        // c.svc.test resolves to b's address, whose certificate is not for c: the check is on the requested name.
        using var mismatch = await client.GetAsync($"http://c.svc.test:{a.Port}/", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, mismatch.StatusCode);
        Assert.True(mismatch.GetMeshResult()!.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure));

        // A name the mesh's DNS does not know is a DNS failure (DF), not a TLS one.
        using var unknown = await client.GetAsync($"http://d.svc.test:{a.Port}/", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unknown.StatusCode);
        Assert.Equal(MeshResponseFlags.DnsResolutionFailure, unknown.GetMeshResult()!.Flags);
        Assert.Equal(["a.svc.test"], a.SniNames.ToArray());
        Assert.Equal(["b.svc.test", "c.svc.test"], b.SniNames.Distinct()); // c's handshake is retried (connect failure)
        Assert.Equal(1, b.Requests);
    }

    private MeshHost Mesh(LoopbackDnsServer dns, string host, int port, ServiceResolution resolution) =>
        new(services => services
            .AddMesh(o =>
            {
                o.Dns.NameServers.Add(dns.NameServer);
                o.Dns.Jitter = TimeSpan.Zero;
            })
            .Services.AddMeshExternalService(host, s =>
            {
                s.Resolution = resolution;
                s.Ports.Add(new ServicePortOptions(port, "http") { Protocol = ServiceProtocol.Http });
                s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath };
            }));
}
