using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

[Trait("Area", "LoadBalancing")]
public sealed class StaticEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WeightedRoundRobin_ThreeKestrelServers_SplitsByWeightAndKeepsHost()
    {
        await using var a = await Upstream.StartAsync("a");
        await using var b = await Upstream.StartAsync("b");
        await using var c = await Upstream.StartAsync("c");
        using var mesh = new MeshHost(services => services.AddMeshExternalService("weather.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (a.Port, 2), (b.Port, 1), (c.Port, 1));
            s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
        }));
        var client = mesh.CreateClient("weather.example.com");

        var bodies = new Dictionary<string, int>();
        for (var i = 0; i < 400; i++)
        {
            var body = await client.GetStringAsync("/weather", Ct);
            bodies[body] = bodies.GetValueOrDefault(body) + 1;
        }

        Assert.Equal(200, bodies["a"]);
        Assert.Equal(100, bodies["b"]);
        Assert.Equal(100, bodies["c"]);
        Assert.All(a.Hosts.Concat(b.Hosts).Concat(c.Hosts), host => Assert.Equal("weather.example.com", host));
    }

    [Fact]
    public async Task Post_BodyAndHeadersReachTheEndpoint()
    {
        await using var echo = await Upstream.StartAsync("echo", handler: async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Request.Headers["x-trace"]} {body}", context.RequestAborted);
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s => MeshHost.Static(s, 80, "http", (echo.Port, 1))));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://api.example.com/orders?dry=1") { Content = new StringContent("{\"id\":7}") };
        request.Headers.Add("x-trace", "abc");

        using var response = await mesh.CreateClient().SendAsync(request, Ct);

        Assert.Equal("POST /orders?dry=1 abc {\"id\":7}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["api.example.com"], echo.Hosts.ToArray());
    }

    [Fact]
    public async Task Https_CertificateForLogicalHost_ValidatedWhileConnectingByIp()
    {
        await using var secure = await SecureApi.StartAsync(certificateHost: "api.example.com");
        var (server, mesh) = (secure.Server, secure.Mesh);

        using var response = await mesh.CreateClient("api.example.com").GetAsync("/secure", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secure", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["api.example.com"], server.SniNames.ToArray());
        Assert.Equal(["api.example.com"], server.Hosts.ToArray());
        Assert.Equal($"127.0.0.1:{server.Port}", response.GetMeshResult()!.Endpoint);
        Assert.Equal(new Uri("https://api.example.com/secure"), response.RequestMessage!.RequestUri);
    }

    [Fact]
    public async Task Https_Http2RequestedOrHigher_ServedOverHttp2ByTheEndpointNeverHttp3()
    {
        await using var secure = await SecureApi.StartAsync(certificateHost: "api.example.com");
        var (server, mesh) = (secure.Server, secure.Mesh);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/h2")
        {
            Version = HttpVersion.Version30,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };

        using var response = await mesh.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version); // ALPN h2 on the connection to 127.0.0.1
        Assert.Equal(["api.example.com"], server.SniNames.ToArray());
        Assert.Equal(["api.example.com"], server.Hosts.ToArray()); // :authority
        Assert.Equal(HttpVersion.Version30, request.Version);
    }

    [Fact]
    public async Task Https_CertificateForOtherHost_RejectedAsConnectionFailure()
    {
        await using var secure = await SecureApi.StartAsync(certificateHost: "other.example.com");
        var (server, mesh) = (secure.Server, secure.Mesh);

        using var response = await mesh.CreateClient("api.example.com").GetAsync("/secure", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        // A TLS failure is a connect failure: Istio's default policy retried it twice, then URX.
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Empty(server.Hosts);
    }

    [Fact]
    public async Task DeadEndpoint_Returns503UF_AndCountsFailure()
    {
        var dead = Upstream.DeadPort();
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s => MeshHost.Static(s, 80, "http", (dead, 1))));

        using var response = await mesh.CreateClient("api.example.com").GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: connection failure", await response.Content.ReadAsStringAsync(Ct));
        var result = response.GetMeshResult()!;
        Assert.Equal("UF,URX", result.Flags.ToEnvoyString()); // Istio's default policy: 2 retries on connect-failure
        Assert.Equal($"127.0.0.1:{dead}", result.Endpoint);
        var endpoint = mesh.Runtime.GetClusters().Single().Endpoints.Single();
        Assert.Equal((3L, 0L, 3L, 0), (endpoint.Requests, endpoint.Successes, endpoint.Failures, endpoint.InFlight));
    }

    [Fact]
    public async Task DeadEndpoint_ThrowMode_ThrowsMeshUpstreamException()
    {
        var dead = Upstream.DeadPort();
        using var mesh = new MeshHost(services =>
        {
            services.AddMesh(m => m.FailureMode = MeshFailureMode.Throw);
            services.AddMeshExternalService("api.example.com", s => MeshHost.Static(s, 80, "http", (dead, 1)));
        });

        var exception = await Assert.ThrowsAsync<MeshUpstreamException>(() => mesh.CreateClient("api.example.com").GetAsync("/", Ct));

        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, exception.Flags);
    }

    [Fact]
    public async Task CallerCancellation_PropagatesPromptly()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await Upstream.StartAsync("slow", handler: async context =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s => MeshHost.Static(s, 80, "http", (slow.Port, 1))));
        using var cts = new CancellationTokenSource();

        var call = mesh.CreateClient("api.example.com").GetAsync("/", cts.Token);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var cancelledAt = TimeProvider.System.GetTimestamp();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(TimeProvider.System.GetElapsedTime(cancelledAt) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task HandlerRotation_KeepsConnectionsAndRoundRobinState()
    {
        await using var a = await Upstream.StartAsync("a");
        await using var b = await Upstream.StartAsync("b");
        await using var c = await Upstream.StartAsync("c");
        var chains = 0;
        using var mesh = new MeshHost(services => services
            .AddMeshExternalService("api.example.com", s =>
            {
                MeshHost.Static(s, 80, "http", (a.Port, 1), (b.Port, 1), (c.Port, 1));
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
            })
            .AddHttpMessageHandler(() =>
            {
                Interlocked.Increment(ref chains);
                return new PassThroughHandler();
            })
            .SetHandlerLifetime(TimeSpan.FromSeconds(1)));
        var factory = mesh.Services.GetRequiredService<IHttpClientFactory>();

        // Keep sending, with a new client each time, until the factory has built three handler chains.
        var sent = 0;
        var started = TimeProvider.System.GetTimestamp();
        while (Volatile.Read(ref chains) < 3 || sent % 3 != 0)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "the factory did not rotate handlers within 30 s");
            await factory.CreateClient("api.example.com").GetStringAsync("/", Ct);
            sent++;
        }

        // Round robin continued across chains: an exact third each. One connection per endpoint: pools are shared.
        Assert.Equal([sent / 3, sent / 3, sent / 3], new[] { a.Requests, b.Requests, c.Requests });
        Assert.Equal([1, 1, 1], new[] { a.Connections.Count, b.Connections.Count, c.Connections.Count });
    }

    [Fact]
    public async Task AllowAny_UnregisteredLoopbackHost_PassesThrough()
    {
        await using var server = await Upstream.StartAsync("direct");
        using var mesh = new MeshHost(services => services.AddMesh());

        using var response = await mesh.CreateClient().GetAsync($"http://127.0.0.1:{server.Port}/x", Ct);

        Assert.Equal("direct", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal($"127.0.0.1:{server.Port}", Assert.Single(server.Hosts));
        Assert.Equal("PassthroughCluster", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public async Task ResolutionNone_TargetPort_ConnectsToRequestedHostOnTargetPortAndKeepsHost()
    {
        await using var server = await Upstream.StartAsync("none");
        using var mesh = new MeshHost(services => services.AddMeshExternalService("localhost", s =>
        {
            s.Resolution = ServiceResolution.None;
            s.Ports.Add(new ServicePortOptions(80, "http") { TargetPort = server.Port });
        }));

        using var response = await mesh.CreateClient().GetAsync("http://localhost/x", Ct);

        Assert.Equal("none", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("localhost", Assert.Single(server.Hosts)); // the requested authority, not the target port
        Assert.Equal("outbound|80||localhost", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public async Task RegistryOnly_UnregisteredLoopbackHost_NeverConnects()
    {
        await using var server = await Upstream.StartAsync("direct");
        using var mesh = new MeshHost(services => services.AddMesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly));

        using var response = await mesh.CreateClient().GetAsync($"http://127.0.0.1:{server.Port}/x", Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("127.0.0.1", response.Headers.GetValues("x-mesh-blocked-host").Single());
        Assert.Empty(server.Hosts);
    }

    private sealed class PassThroughHandler : DelegatingHandler;

    /// <summary>
    /// A Kestrel HTTPS server on 127.0.0.1 whose certificate (from a CA generated for the test) names
    /// <c>certificateHost</c>, and a mesh declaring <c>api.example.com:443</c> with it as the only endpoint.
    /// </summary>
    private sealed class SecureApi : IAsyncDisposable
    {
        private readonly TestCertificates _certificates;
        private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _serverCertificate;

        private SecureApi(TestCertificates certificates, System.Security.Cryptography.X509Certificates.X509Certificate2 serverCertificate, Upstream server)
        {
            _certificates = certificates;
            _serverCertificate = serverCertificate;
            Server = server;
            Mesh = new MeshHost(
                services => services.AddMeshExternalService("api.example.com", s => MeshHost.Static(s, 443, "https", (server.Port, 1))),
                certificates);
        }

        public Upstream Server { get; }

        public MeshHost Mesh { get; }

        public static async Task<SecureApi> StartAsync(string certificateHost)
        {
            var certificates = new TestCertificates();
            var serverCertificate = certificates.CreateServerCertificate(certificateHost);
            return new SecureApi(certificates, serverCertificate, await Upstream.StartAsync("secure", serverCertificate));
        }

        public async ValueTask DisposeAsync()
        {
            Mesh.Dispose();
            await Server.DisposeAsync();
            _serverCertificate.Dispose();
            _certificates.Dispose();
        }
    }
}
