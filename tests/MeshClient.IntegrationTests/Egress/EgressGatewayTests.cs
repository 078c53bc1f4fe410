using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Egress;

/// <summary>
/// Istio's egress gateway task in process: a VirtualService bound to <c>mesh</c> sends the external
/// host's traffic to the gateway's service (its own ServiceEntry, STATIC on 127.0.0.1). The Kestrel
/// "gateway" records the Host header and the SNI it received.
/// </summary>
[Trait("Area", "Egress")]
public sealed class EgressGatewayTests : IDisposable
{
    private const string External = "edition.cnn.test";
    private const string Gateway = "istio-egressgateway.istio-system.svc.cluster.local";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    /// <summary>The external host (resolution NONE: never connected to directly) routed to the gateway, whose endpoints are <paramref name="gatewayPorts"/>.</summary>
    private static void Configure(IServiceCollection services, int port, int[] gatewayPorts, Action<ExternalServiceOptions>? gateway = null)
    {
        services.AddMeshExternalService(External, s =>
        {
            s.Ports.Add(new ServicePortOptions(port, port == 443 ? "tls" : "http"));
            s.Http.Add(new HttpRouteOptions
            {
                Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Gateway, Port = new PortSelectorOptions { Number = port } } } },
            });
        });
        services.AddMeshExternalService(Gateway, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(port, "gw"));
            foreach (var gatewayPort in gatewayPorts)
            {
                s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["gw"] = gatewayPort } });
            }

            gateway?.Invoke(s);
        });
    }

    [Fact]
    public async Task Http_RoutedToTheGateway_HostKept_ResultNamesBoth()
    {
        await using var gateway = await Upstream.StartAsync("gateway");
        using var mesh = new MeshHost(services => Configure(services, 80, [gateway.Port]));

        using var response = await mesh.CreateClient().GetAsync($"http://{External}/politics", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gateway", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal([External], gateway.Hosts.ToArray());
        var result = response.GetMeshResult()!;
        Assert.Equal(External, result.DestinationService);
        Assert.Equal(Gateway, result.Service);
        Assert.Equal($"outbound|80||{Gateway}", result.Cluster);
        Assert.Equal($"127.0.0.1:{gateway.Port}", result.Endpoint);
    }

    [Fact]
    public async Task Https_RoutedToTheGateway_SniAndHostKept()
    {
        using var certificate = _pki.Server([External]);
        await using var gateway = await Upstream.StartAsync("gateway", certificate);
        using var mesh = new MeshHost(services => Configure(services, 443, [gateway.Port], s =>
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath }));

        using var response = await mesh.CreateClient().GetAsync($"https://{External}/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([External], gateway.SniNames.ToArray());
        Assert.Equal([External], gateway.Hosts.ToArray());
        Assert.Equal(External, response.GetMeshResult()!.DestinationService);
    }

    [Fact]
    public async Task GatewayPolicies_RetryGoesToTheOtherGatewayEndpoint()
    {
        await using var gateway = await Upstream.StartAsync("gateway");
        var dead = Upstream.DeadPort();
        using var mesh = new MeshHost(services => Configure(services, 80, [dead, gateway.Port], s =>
            s.TrafficPolicy.LoadBalancer = new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.RoundRobin }));
        var client = mesh.CreateClient();

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync($"http://{External}/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Istio's default retry (connect-failure) moves a refused attempt to the other gateway endpoint.
        Assert.Equal(4, gateway.Requests);
        Assert.All(gateway.Hosts, host => Assert.Equal(External, host));
    }

    [Fact]
    public async Task GatewayDown_UpstreamConnectionFailure_NamingTheGateway()
    {
        var dead = Upstream.DeadPort();
        using var mesh = new MeshHost(services => Configure(services, 80, [dead]));

        using var response = await mesh.CreateClient().GetAsync($"http://{External}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure), result.ToString());
        Assert.Equal($"127.0.0.1:{dead}", result.Endpoint);
        Assert.Equal($"outbound|80||{Gateway}", result.Cluster);
        Assert.Equal(External, result.DestinationService);
    }

    [Fact]
    public async Task GatewayEjected_NoHealthyUpstream_NamingTheGatewayCluster()
    {
        var dead = Upstream.DeadPort();
        using var mesh = new MeshHost(services => Configure(services, 80, [dead], s =>
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions
            {
                ConsecutiveGatewayErrors = 1,
                Consecutive5xxErrors = 1,
                MaxEjectionPercent = 100,
                MinHealthPercent = 0,
                BaseEjectionTime = TimeSpan.FromMinutes(5),
                Interval = TimeSpan.FromMinutes(5),
            }));
        var client = mesh.CreateClient();

        using (var first = await client.GetAsync($"http://{External}/", Ct))
        {
            // The refused attempt ejects the gateway's only endpoint at once (its retry then finds none).
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            Assert.Equal($"127.0.0.1:{dead}", first.GetMeshResult()!.Retries[0].Endpoint);
        }

        using var response = await client.GetAsync($"http://{External}/", Ct);

        var result = response.GetMeshResult()!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(result.Flags.HasFlag(MeshResponseFlags.NoHealthyUpstream), result.ToString());
        Assert.Equal($"outbound|80||{Gateway}", result.Cluster);
        Assert.Equal(External, result.DestinationService);
    }
}
