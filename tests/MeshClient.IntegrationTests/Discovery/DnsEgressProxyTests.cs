using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Discovery;

/// <summary>
/// An egress proxy given by name (<c>proxy.svc.test</c>, which only the <see cref="LoopbackDnsServer"/>
/// knows): with <see cref="DnsOptions.NameServers"/> set, the proxy's connections resolve it through the
/// mesh's name servers, as a DNS_ROUND_ROBIN endpoint, never through the system resolver.
/// </summary>
[Trait("Area", "Discovery")]
[Trait("Area", "Egress")]
public sealed class DnsEgressProxyTests
{
    private const string External = "localhost";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProxyByName_ResolvedThroughTheMeshNameServers()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var dns = new LoopbackDnsServer();
        dns.Set("proxy.svc.test", 30, "127.0.0.1");
        using var mesh = Mesh(dns, backend.Port, $"http://proxy.svc.test:{proxy.Port}");

        using var response = await mesh.CreateClient().GetAsync($"http://{External}:{backend.Port}/orders", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend", await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains($"GET http://{External}:{backend.Port}/orders", proxy.Log, StringComparison.Ordinal);
        Assert.True(dns.Queries("proxy.svc.test") >= 1);
        Assert.Equal($"proxy.svc.test:{proxy.Port}", response.GetMeshResult()!.Endpoint);
    }

    [Fact]
    public async Task ProxyByName_UnknownToTheMeshNameServers_IsDnsFailure()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var dns = new LoopbackDnsServer();
        dns.Set("proxy.svc.test", LoopbackDnsServer.Behaviour.NxDomain);
        using var mesh = Mesh(dns, backend.Port, $"http://proxy.svc.test:{proxy.Port}");

        using var response = await mesh.CreateClient().GetAsync($"http://{External}:{backend.Port}/orders", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.GetMeshResult()!.Flags.HasFlag(MeshResponseFlags.DnsResolutionFailure));
        Assert.Equal(0, backend.Requests);
    }

    private static MeshHost Mesh(LoopbackDnsServer dns, int port, string proxyAddress) =>
        new(services => services
            .AddMesh(o =>
            {
                o.Dns.NameServers.Add(dns.NameServer);
                o.Dns.Jitter = TimeSpan.Zero;
                o.Dns.FirstResolutionTimeout = TimeSpan.FromSeconds(2);
            })
            .Services.AddMeshExternalService(External, s =>
            {
                s.Resolution = ServiceResolution.Dns;
                s.Ports.Add(new ServicePortOptions(port, "http"));
                s.EgressProxy = new EgressProxyOptions { Address = proxyAddress };
            }));
}
