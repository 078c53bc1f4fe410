using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Egress;

/// <summary>
/// Istio Sidecar <c>outboundTrafficPolicy.egressProxy</c> (<see cref="MeshOptions.PassthroughDestination"/>):
/// a request for a host no service declares goes, unchanged, to the endpoints of the named service — here a
/// Kestrel server on 127.0.0.1 standing in for a transparent egress proxy. The unknown names are never resolved.
/// </summary>
[Trait("Area", "Egress")]
public sealed class PassthroughDestinationTests : IDisposable
{
    private const string Proxy = "egress.corp.internal";
    private const string Unknown = "unknown.example.test";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    private static MeshHost Mesh(Upstream proxy, Action<ExternalServiceOptions>? configure = null) => new(services =>
    {
        services.AddMesh(m => m.PassthroughDestination = new DestinationOptions { Host = Proxy });
        services.AddMeshExternalService(Proxy, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Location = ServiceLocation.MeshInternal;
            s.Ports.Add(new ServicePortOptions(proxy.Port, "http-proxy", ServiceProtocol.Http));
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1"));
            configure?.Invoke(s);
        });
    });

    [Fact]
    public async Task Http_UnknownHost_ReachesTheDestinationsEndpoint_WithItsOwnHostHeader()
    {
        await using var proxy = await Upstream.StartAsync("egress");
        using var mesh = Mesh(proxy);

        using var response = await mesh.CreateClient().GetAsync($"http://{Unknown}:8080/items", Ct);

        Assert.Equal("egress", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal($"{Unknown}:8080", Assert.Single(proxy.Hosts));
        var result = response.GetMeshResult()!;
        Assert.Equal($"outbound|{proxy.Port}||{Proxy}", result.Cluster);
        Assert.Equal($"127.0.0.1:{proxy.Port}", result.Endpoint);
    }

    [Fact]
    public async Task Https_UnknownHost_TlsWithTheUnknownHostsName_EndToEnd()
    {
        using var certificate = _pki.Server([Unknown]);
        await using var proxy = await Upstream.StartAsync("egress-tls", certificate);
        using var mesh = Mesh(proxy, s => s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath });

        using var response = await mesh.CreateClient().GetAsync($"https://{Unknown}/", Ct);

        Assert.Equal("egress-tls", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(Unknown, Assert.Single(proxy.SniNames));
        Assert.Equal(Unknown, Assert.Single(proxy.Hosts));
    }
}
