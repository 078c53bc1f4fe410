using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Egress;

/// <summary>
/// An HTTP forward proxy in front of the external host: a real tinyproxy on 127.0.0.1 (its own
/// process and configuration) and a Kestrel backend. The external name is <c>localhost</c>, which the
/// proxy resolves (to 127.0.0.1): the mesh never resolves it, nothing leaves loopback.
/// </summary>
[Trait("Area", "Egress")]
public sealed class EgressProxyTests : IDisposable
{
    private const string External = "localhost";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    private static MeshHost Mesh(int servicePort, EgressProxyOptions proxy, Action<ExternalServiceOptions>? configure = null) =>
        new(services => services.AddMeshExternalService(External, s =>
        {
            s.Resolution = ServiceResolution.Dns;
            s.Ports.Add(new ServicePortOptions(servicePort, "http"));
            s.EgressProxy = proxy;
            configure?.Invoke(s);
        }));

    private TlsOptions TrustTestCa() => new() { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath };

    [Fact]
    public async Task Http_ThroughTheProxy_AbsoluteForm_ResultNamesTheProxy()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = Mesh(backend.Port, new EgressProxyOptions { Address = proxy.Address });

        using var response = await mesh.CreateClient().GetAsync($"http://{External}:{backend.Port}/orders", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend", await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains($"GET http://{External}:{backend.Port}/orders", proxy.Log, StringComparison.Ordinal);
        Assert.Equal([$"{External}:{backend.Port}"], backend.Hosts.ToArray());
        var result = response.GetMeshResult()!;
        Assert.Equal($"127.0.0.1:{proxy.Port}", result.Endpoint);
        Assert.Equal(External, result.DestinationService);
        Assert.Equal($"outbound|{backend.Port}||{External}", result.Cluster);
    }

    [Fact]
    public async Task Https_ConnectTunnel_CertificateCheckedAgainstTheExternalName()
    {
        using var certificate = _pki.Server([External]);
        await using var backend = await Upstream.StartAsync("tls", certificate);
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = Mesh(backend.Port, new EgressProxyOptions { Address = proxy.Address }, s => s.TrafficPolicy.Tls = TrustTestCa());

        using var response = await mesh.CreateClient().GetAsync($"https://{External}:{backend.Port}/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"CONNECT {External}:{backend.Port}", proxy.Log, StringComparison.Ordinal);
        Assert.Equal([External], backend.SniNames.ToArray());
        Assert.Equal($"127.0.0.1:{proxy.Port}", response.GetMeshResult()!.Endpoint);
    }

    [Fact]
    public async Task Https_CertificateOfAnotherName_FailsInsideTheTunnel()
    {
        using var certificate = _pki.Server(["other.example.test"]);
        await using var backend = await Upstream.StartAsync("tls", certificate);
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = Mesh(backend.Port, new EgressProxyOptions { Address = proxy.Address }, s => s.TrafficPolicy.Tls = TrustTestCa());

        using var response = await mesh.CreateClient().GetAsync($"https://{External}:{backend.Port}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure), result.ToString());
        Assert.Contains($"host '{External}'", result.UpstreamTransportFailureReason, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task TlsOrigination_InsideTheTunnel_OnTheTargetPort_HostAndUriKept()
    {
        using var certificate = _pki.Server([External]);
        await using var backend = await Upstream.StartAsync("tls", certificate);
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = new MeshHost(services => services.AddMeshExternalService(External, s =>
        {
            s.Ports.Add(new ServicePortOptions(80, "http") { TargetPort = backend.Port });
            s.TrafficPolicy.Tls = TrustTestCa();
            s.EgressProxy = new EgressProxyOptions { Address = proxy.Address };
        }));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{External}/orders");

        using var response = await mesh.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"CONNECT {External}:{backend.Port}", proxy.Log, StringComparison.Ordinal);
        Assert.Equal([External], backend.SniNames.ToArray());
        Assert.Equal([External], backend.Hosts.ToArray());
        Assert.Equal($"http://{External}/orders", request.RequestUri!.ToString());
        Assert.Null(request.Headers.Host);
    }

    [Fact]
    public async Task ProxyCredentialName_ResolvedByTheRegisteredCredentialProvider_AcceptedByTheProxy()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port], ("vault-user", "vault-pass"));
        var provider = new SingleCredentialProvider("proxy-auth", new MeshCredential { UserName = "vault-user", Password = "vault-pass" });
        using var host = new MeshHost(services =>
        {
            services.AddMesh().AddCredentialProvider(provider);
            services.AddMeshExternalService(External, s =>
            {
                s.Ports.Add(new ServicePortOptions(backend.Port, "http"));
                s.EgressProxy = new EgressProxyOptions { Address = proxy.Address, CredentialName = "proxy-auth" };
            });
        });

        Assert.Equal("backend", await host.CreateClient().GetStringAsync($"http://{External}:{backend.Port}/", Ct));
        Assert.Equal(1, backend.Requests);
        Assert.DoesNotContain("vault-pass", proxy.Log, StringComparison.Ordinal);
    }

    private sealed class SingleCredentialProvider(string name, MeshCredential credential) : IMeshCredentialProvider
    {
        public MeshCredential? GetCredential(string credentialName) => credentialName == name ? credential : null;
    }

    [Fact]
    public async Task ProxyAuthentication_Required_407WithoutCredentials_AcceptedWithThem()
    {
        using var certificate = _pki.Server([External]);
        await using var backend = await Upstream.StartAsync("backend");
        await using var tlsBackend = await Upstream.StartAsync("tls", certificate);
        using var proxy = await TinyProxy.StartAsync([tlsBackend.Port], ("mesh", "s3cret"));
        using var anonymous = new MeshHost(services =>
        {
            services.AddMeshExternalService(External, s =>
            {
                s.Ports.Add(new ServicePortOptions(backend.Port, "http"));
                s.Ports.Add(new ServicePortOptions(tlsBackend.Port, "https"));
                s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = tlsBackend.Port, Tls = TrustTestCa() });
                s.EgressProxy = new EgressProxyOptions { Address = proxy.Address };
            });
        });
        using var authenticated = new MeshHost(services => services.AddMeshExternalService(External, s =>
        {
            s.Ports.Add(new ServicePortOptions(backend.Port, "http"));
            s.Ports.Add(new ServicePortOptions(tlsBackend.Port, "https"));
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = tlsBackend.Port, Tls = TrustTestCa() });
            s.EgressProxy = new EgressProxyOptions { Address = proxy.Address, UserName = "mesh", Password = "s3cret" };
        }));

        // Plain HTTP: the proxy's own 407 response comes back as it is, from the proxy's endpoint.
        using (var refused = await anonymous.CreateClient().GetAsync($"http://{External}:{backend.Port}/", Ct))
        {
            Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, refused.StatusCode);
            Assert.Equal($"127.0.0.1:{proxy.Port}", refused.GetMeshResult()!.Endpoint);
        }

        // CONNECT refused with 407: no tunnel, Envoy's UF, naming the proxy.
        using (var tunnelRefused = await anonymous.CreateClient().GetAsync($"https://{External}:{tlsBackend.Port}/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, tunnelRefused.StatusCode);
            var result = tunnelRefused.GetMeshResult()!;
            Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure), result.ToString());
            Assert.Equal($"127.0.0.1:{proxy.Port}", result.Endpoint);
        }

        Assert.Equal(0, backend.Requests + tlsBackend.Requests);
        Assert.Equal("backend", await authenticated.CreateClient().GetStringAsync($"http://{External}:{backend.Port}/", Ct));
        Assert.Equal("tls", await authenticated.CreateClient().GetStringAsync($"https://{External}:{tlsBackend.Port}/", Ct));
        Assert.DoesNotContain("s3cret", proxy.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxyDown_UpstreamConnectionFailure_NamingTheProxy()
    {
        var dead = Upstream.DeadPort();
        using var mesh = Mesh(8080, new EgressProxyOptions { Address = $"http://127.0.0.1:{dead}" });

        using var response = await mesh.CreateClient().GetAsync($"http://{External}:8080/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure), result.ToString());
        Assert.Equal($"127.0.0.1:{dead}", result.Endpoint);
        Assert.Equal(External, result.DestinationService);
    }

    [Fact]
    public async Task MeshWide_NoProxyAndMeshInternal_GoDirect_OthersThroughTheProxy()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = new MeshHost(services =>
        {
            services.AddMesh(o =>
            {
                o.EgressProxy = new EgressProxyOptions { Address = proxy.Address };
                o.EgressProxy.NoProxy.Add(".internal.test");
            });
            services.AddMeshExternalService(External, s =>
            {
                s.Resolution = ServiceResolution.Dns;
                s.Ports.Add(new ServicePortOptions(backend.Port, "http"));
            });
            services.AddMeshExternalService("api.internal.test", s => MeshHost.Static(s, 80, "http", (backend.Port, 1)));
            services.AddMeshExternalService("gateway.mesh.test", s =>
            {
                MeshHost.Static(s, 80, "http", (backend.Port, 1));
                s.Location = ServiceLocation.MeshInternal;
            });
        });
        var client = mesh.CreateClient();

        Assert.Equal("backend", await client.GetStringAsync($"http://{External}:{backend.Port}/", Ct));
        Assert.Equal("backend", await client.GetStringAsync("http://api.internal.test/", Ct));
        Assert.Equal("backend", await client.GetStringAsync("http://gateway.mesh.test/", Ct));

        var log = proxy.Log;
        Assert.Contains($"GET http://{External}:{backend.Port}/", log, StringComparison.Ordinal);
        Assert.DoesNotContain("internal.test", log, StringComparison.Ordinal);
        Assert.DoesNotContain("gateway.mesh.test", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passthrough_UnknownHostUnderAllowAny_GoesThroughTheMeshWideProxy()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = new MeshHost(services => services.AddMesh(o => o.EgressProxy = new EgressProxyOptions { Address = proxy.Address }));

        using var response = await mesh.CreateClient().GetAsync($"http://{External}:{backend.Port}/orders", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend", await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains($"GET http://{External}:{backend.Port}/orders", proxy.Log, StringComparison.Ordinal);
        Assert.Equal([$"{External}:{backend.Port}"], backend.Hosts.ToArray());
        Assert.Equal("PassthroughCluster", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public async Task Passthrough_HostInNoProxy_GoesDirect()
    {
        await using var backend = await Upstream.StartAsync("backend");
        using var proxy = await TinyProxy.StartAsync([backend.Port]);
        using var mesh = new MeshHost(services => services.AddMesh(o =>
        {
            o.EgressProxy = new EgressProxyOptions { Address = proxy.Address };
            o.EgressProxy.NoProxy.Add(External);
        }));

        Assert.Equal("backend", await mesh.CreateClient().GetStringAsync($"http://{External}:{backend.Port}/direct", Ct));

        Assert.Equal(1, backend.Requests);
        Assert.DoesNotContain("/direct", proxy.Log, StringComparison.Ordinal);
    }
}
