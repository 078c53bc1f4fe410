using System.Collections.Concurrent;
using System.Net;
using MeshClient.Configuration;
using MeshClient.Health;
using MeshClient.IntegrationTests.TestSupport;
using MeshClient.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Health;

[Trait("Area", "ActiveHealth")]
public sealed class ActiveHealthTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IdleEndpointGoingDown_RemovedBeforeAnyUserRequest_AndBackAfterHealthyThreshold()
    {
        var a = new Backend();
        var b = new Backend();
        await using var upstreamA = await Upstream.StartAsync("a", handler: a.HandleAsync);
        await using var upstreamB = await Upstream.StartAsync("b", handler: b.HandleAsync);
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (upstreamA.Port, 1), (upstreamB.Port, 1));
            s.HealthCheck = Checks(unhealthy: 2, healthy: 3);
        }));
        var client = mesh.CreateClient("api.example.com");
        var cluster = ClusterOf(mesh);
        await Upstream.WaitUntilAsync(() => cluster.Endpoints.All(e => e.ActiveHealth.Status == ActiveHealthStatus.Healthy), Wait, "both endpoints checked healthy");
        Assert.Equal(0, b.UserRequests); // idle so far

        b.Mode = BackendMode.Unavailable;
        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 1, Wait, "b taken out by its checks");

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/orders", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"127.0.0.1:{upstreamA.Port}", response.GetMeshResult()!.Endpoint);
        }

        Assert.Equal(0, b.UserRequests); // no user request ever reached it
        Assert.True(b.FailedChecks >= 2);

        b.Mode = BackendMode.Ok;
        var passesBefore = b.PassedChecks;
        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 2, Wait, "b back in");
        Assert.True(b.PassedChecks - passesBefore >= 3, $"back after {b.PassedChecks - passesBefore} passes, healthyThreshold 3");

        var endpoints = new HashSet<string?>();
        for (var i = 0; i < 20 && endpoints.Count < 2; i++)
        {
            using var response = await client.GetAsync("/orders", Ct);
            endpoints.Add(response.GetMeshResult()!.Endpoint);
        }

        Assert.Contains($"127.0.0.1:{upstreamB.Port}", endpoints);
        Assert.Equal(a.UserRequests + b.UserRequests, cluster.Endpoints.Sum(e => e.Requests)); // checks are not requests
    }

    [Fact]
    public async Task HangingHealthPath_TimesOutAndTakesTheEndpointOut()
    {
        var a = new Backend();
        var b = new Backend { Mode = BackendMode.Hang };
        await using var upstreamA = await Upstream.StartAsync("a", handler: a.HandleAsync);
        await using var upstreamB = await Upstream.StartAsync("b", handler: b.HandleAsync);
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (upstreamA.Port, 1), (upstreamB.Port, 1));
            s.HealthCheck = Checks(unhealthy: 2, healthy: 1);
        }));
        var cluster = ClusterOf(mesh);

        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 1 && cluster.AvailableEndpoints[0].Authority == $"127.0.0.1:{upstreamA.Port}", Wait, "the hanging endpoint taken out");

        Assert.Equal(ActiveHealthStatus.Unhealthy, cluster.Endpoints.Single(e => e.Authority == $"127.0.0.1:{upstreamB.Port}").ActiveHealth.Status);
        b.Mode = BackendMode.Ok;
        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 2, Wait, "b back after one pass");
    }

    [Fact]
    public async Task NoTrafficUntilHealthy_EveryEndpointFailing_Is503UH()
    {
        var a = new Backend { Mode = BackendMode.Unavailable };
        await using var upstreamA = await Upstream.StartAsync("a", handler: a.HandleAsync);
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (upstreamA.Port, 1));
            s.HealthCheck = Checks(unhealthy: 1, healthy: 1);
            s.HealthCheck.NoTrafficUntilHealthy = true;
        }));
        var client = mesh.CreateClient("api.example.com");

        using (var response = await client.GetAsync("/orders", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(MeshResponseFlags.NoHealthyUpstream, response.GetMeshResult()!.Flags);
        }

        a.Mode = BackendMode.Ok;
        var cluster = ClusterOf(mesh);
        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 1, Wait, "the endpoint's first passing check");
        using var ok = await client.GetAsync("/orders", Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1, a.UserRequests);
    }

    [Fact]
    public async Task Https_ChecksUseTlsWithTheServiceHostAsSniAndHost()
    {
        using var certificates = new TestCertificates();
        using var certificate = certificates.CreateServerCertificate("api.example.com");
        var a = new Backend();
        var b = new Backend();
        await using var upstreamA = await Upstream.StartAsync("a", certificate, a.HandleAsync);
        await using var upstreamB = await Upstream.StartAsync("b", certificate, b.HandleAsync);
        using var mesh = new MeshHost(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHost.Static(s, 443, "https", (upstreamA.Port, 1), (upstreamB.Port, 1));
                s.HealthCheck = Checks(unhealthy: 1, healthy: 1);
            }),
            certificates);
        var cluster = ClusterOf(mesh);

        await Upstream.WaitUntilAsync(() => a.PassedChecks > 0 && b.PassedChecks > 0, Wait, "a passing check over TLS on each endpoint");
        b.Mode = BackendMode.Unavailable;
        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 1, Wait, "b taken out by a 503 inside TLS");

        Assert.Contains("api.example.com", upstreamA.SniNames);
        Assert.Contains("api.example.com", upstreamB.SniNames);
        Assert.All(a.CheckHosts, h => Assert.Equal("api.example.com", h));
        Assert.All(a.CheckSchemes, scheme => Assert.Equal("https", scheme));
    }

    [Fact]
    public async Task TlsOrigination_ChecksOnAnHttpPort_GoOverTheOriginatedTls()
    {
        using var pki = new TlsFiles();
        using var certificate = pki.Server(["api.example.com"]);
        var backend = new Backend();
        await using var upstream = await Upstream.StartAsync("tls", certificate, backend.HandleAsync);
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http) { TargetPort = upstream.Port });
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1", 1));
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = pki.CaPath };
            s.HealthCheck = Checks(unhealthy: 1, healthy: 1);
        }));
        var cluster = ClusterOf(mesh);

        await Upstream.WaitUntilAsync(() => backend.PassedChecks > 0, Wait, "a passing check over the originated TLS");
        Assert.All(backend.CheckSchemes, scheme => Assert.Equal("https", scheme)); // the server saw TLS, the check was http://
        Assert.Contains("api.example.com", upstream.SniNames);

        backend.Mode = BackendMode.Unavailable;
        await Upstream.WaitUntilAsync(() => cluster.AvailableEndpoints.Length == 0, Wait, "the endpoint taken out by a 503 inside the originated TLS");
    }

    private static HealthCheckOptions Checks(int unhealthy, int healthy) => new()
    {
        Interval = TimeSpan.FromMilliseconds(100),
        IntervalJitter = TimeSpan.FromMilliseconds(20),
        Timeout = TimeSpan.FromMilliseconds(500),
        UnhealthyThreshold = unhealthy,
        HealthyThreshold = healthy,
        Http = new HttpHealthCheckOptions { Path = "/healthz" },
    };

    private static Cluster ClusterOf(MeshHost mesh) => Assert.Single(mesh.Runtime.GetClusters(), c => c.ServiceName == "api.example.com");

    private enum BackendMode
    {
        Ok,
        Unavailable,
        Hang,
    }

    /// <summary>A backend whose <c>/healthz</c> answers 200, 503 or hangs, as <see cref="Mode"/> says; other paths answer 200.</summary>
    private sealed class Backend
    {
        private int _userRequests;
        private int _passed;
        private int _failed;
        private volatile BackendMode _mode;

        public BackendMode Mode
        {
            get => _mode;
            set => _mode = value;
        }

        public int UserRequests => Volatile.Read(ref _userRequests);

        public int PassedChecks => Volatile.Read(ref _passed);

        public int FailedChecks => Volatile.Read(ref _failed);

        public ConcurrentQueue<string> CheckHosts { get; } = new();

        public ConcurrentQueue<string> CheckSchemes { get; } = new();

        public async Task HandleAsync(HttpContext context)
        {
            if (context.Request.Path != "/healthz")
            {
                Interlocked.Increment(ref _userRequests);
                return;
            }

            CheckHosts.Enqueue(context.Request.Host.Host);
            CheckSchemes.Enqueue(context.Request.Scheme);
            switch (Mode)
            {
                case BackendMode.Ok:
                    Interlocked.Increment(ref _passed);
                    return;
                case BackendMode.Unavailable:
                    Interlocked.Increment(ref _failed);
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                default:
                    Interlocked.Increment(ref _failed);
                    var hung = new TaskCompletionSource();
                    using (context.RequestAborted.Register(() => hung.TrySetResult()))
                    {
                        await hung.Task;
                    }

                    return;
            }
        }
    }
}
