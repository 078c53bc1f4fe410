using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using MeshClient.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Connections;

/// <summary>Connection-pool limits and connection settings against Kestrel on 127.0.0.1.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class ConnectionPoolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MeshClusterStatistics Statistics(MeshHost mesh) =>
        mesh.Services.GetRequiredService<MeshStatistics>().GetClusterStatistics().Single(s => s.Service == "httpbin.example.com");

    /// <summary>
    /// Istio's circuit-breaking task (the DestinationRule in the corpus: maxConnections 1,
    /// http1MaxPendingRequests 1, maxRequestsPerConnection 1) with 20 concurrent requests to a backend
    /// that holds them: one is sent, one waits for the connection, 18 get 503 UO at once.
    /// </summary>
    [Fact]
    public async Task CircuitBreakingTask_TwentyConcurrentRequests_ExcessGets503UOAtOnce()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await Upstream.StartAsync("httpbin", handler: async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("httpbin.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (backend.Port, 1));
            s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions
            {
                Tcp = { MaxConnections = 1 },
                Http = { Http1MaxPendingRequests = 1, MaxRequestsPerConnection = 1 },
            };
        }));
        var client = mesh.CreateClient("httpbin.example.com");

        var calls = Enumerable.Range(0, 20).Select(_ => client.GetAsync("/get", Ct)).ToList();
        try
        {
            await Upstream.WaitUntilAsync(() => calls.Count(c => c.IsCompleted) == 18 && backend.Requests == 1, Bound, "18 requests refused and one received while the backend holds it");

            Assert.Equal(1, backend.Requests); // the second waits for the connection, and is not sent
            var busy = Statistics(mesh);
            Assert.Equal((2, 1, 1, 18L), (busy.ActiveRequests, busy.PendingRequests, busy.ActiveConnections, busy.Overflows));
            foreach (var refused in calls.Where(c => c.IsCompleted).Select(c => c.Result))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal("true", refused.Headers.GetValues("x-envoy-overloaded").Single());
                Assert.Equal(MeshResponseFlags.UpstreamOverflow, refused.GetMeshResult()!.Flags);
            }
        }
        finally
        {
            release.TrySetResult();
        }

        var all = await Task.WhenAll(calls).WaitAsync(Bound, Ct);
        Assert.Equal(2, all.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(2, backend.Requests);
        Assert.Equal(2, backend.Connections.Count); // one connection per request
        var stats = Statistics(mesh);
        Assert.Equal((0, 0, 0), (stats.ActiveRequests, stats.PendingRequests, stats.ActiveConnections));
        foreach (var response in all)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task MaxRequestsPerConnectionOne_EachRequestOpensAConnection()
    {
        await using var backend = await Upstream.StartAsync("one");
        await using var reused = await Upstream.StartAsync("reused");
        using var mesh = new MeshHost(services =>
        {
            services.AddMeshExternalService("one.example.com", s =>
            {
                MeshHost.Static(s, 80, "http", (backend.Port, 1));
                s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { MaxRequestsPerConnection = 1 } };
            });
            services.AddMeshExternalService("reused.example.com", s => MeshHost.Static(s, 80, "http", (reused.Port, 1)));
        });

        for (var i = 0; i < 5; i++)
        {
            using var one = await mesh.CreateClient("one.example.com").GetAsync("/", Ct);
            using var other = await mesh.CreateClient("reused.example.com").GetAsync("/", Ct);
            one.EnsureSuccessStatusCode();
            other.EnsureSuccessStatusCode();
        }

        Assert.Equal(5, backend.Connections.Count);
        Assert.Single(reused.Connections); // keep-alive by default
    }

    /// <summary>maxRequestsPerConnection: 3 — seven requests (GETs and POSTs with bodies) arrive on connections carrying 3, 3 and 1.</summary>
    [Fact]
    public async Task MaxRequestsPerConnectionThree_EachConnectionCarriesThreeRequests()
    {
        await using var backend = await Upstream.StartAsync("three", handler: async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            await context.Response.WriteAsync("got " + body, context.RequestAborted);
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("three.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (backend.Port, 1));
            s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { MaxRequestsPerConnection = 3 } };
        }));
        var client = mesh.CreateClient("three.example.com");

        for (var i = 0; i < 7; i++)
        {
            using var response = i % 2 == 0
                ? await client.GetAsync("/", Ct)
                : await client.PostAsync("/", new StringContent("body " + i), Ct);
            response.EnsureSuccessStatusCode();
            Assert.Equal(i % 2 == 0 ? "got " : "got body " + i, await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal([1, 3, 3], backend.Connections.Values.Order());
        Assert.Equal(7, backend.Requests);
    }

    [Fact]
    public async Task IdleTimeout_ClosesTheIdleConnection()
    {
        await using var backend = await Upstream.StartAsync("idle");
        using var mesh = new MeshHost(services => services.AddMeshExternalService("idle.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (backend.Port, 1));
            s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { IdleTimeout = TimeSpan.FromMilliseconds(200) } };
        }));

        using (var response = await mesh.CreateClient("idle.example.com").GetAsync("/", Ct))
        {
            response.EnsureSuccessStatusCode();
        }

        await Upstream.WaitUntilAsync(() => backend.ClosedConnections == 1, Bound, "the idle connection closed by the client's pool");
        using var again = await mesh.CreateClient("idle.example.com").GetAsync("/", Ct);
        again.EnsureSuccessStatusCode();
        Assert.Equal(2, backend.Connections.Count);
    }

    /// <summary>
    /// A loopback listener whose accept queue is full drops further SYNs (Linux, tcp_abort_on_overflow 0):
    /// a connection to it neither opens nor is refused — a blackhole on 127.0.0.1.
    /// </summary>
    [Fact]
    public async Task ConnectTimeout_BlackholedEndpoint_503UFWithinTheTimeout()
    {
        using var blackhole = await Blackhole.StartAsync();
        Assert.SkipUnless(blackhole.IsBlackholed, "This system accepts or refuses connections to a listener with a full accept queue; the connect timeout is covered by the unit tests of the SocketsHttpHandler settings.");
        var timeout = TimeSpan.FromMilliseconds(500);
        using var mesh = new MeshHost(services => services.AddMeshExternalService("slow-to-connect.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (blackhole.Port, 1));
            s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Tcp = { ConnectTimeout = timeout } };
            s.Route.Retries = new HttpRetryOptions { Attempts = 0 }; // one connect attempt: the timeout alone is measured
        }));

        var started = Stopwatch.GetTimestamp();
        using var response = await mesh.CreateClient("slow-to-connect.example.com").GetAsync("/", Ct).WaitAsync(Bound, Ct);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure, response.GetMeshResult()!.Flags);
        Assert.InRange(elapsed, timeout - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));
    }

    /// <summary>A listener that never accepts, its backlog filled by connections of its own.</summary>
    private sealed class Blackhole : IDisposable
    {
        private readonly Socket _listener;
        private readonly List<Socket> _fillers = [];

        private Blackhole(Socket listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public bool IsBlackholed { get; private set; }

        public static async Task<Blackhole> StartAsync()
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(0);
            var blackhole = new Blackhole(listener);
            for (var i = 0; i < 8 && !blackhole.IsBlackholed; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                blackhole._fillers.Add(filler);
                var connect = filler.ConnectAsync(IPAddress.Loopback, blackhole.Port, Ct).AsTask();
                if (await Task.WhenAny(connect, Task.Delay(TimeSpan.FromMilliseconds(300), Ct)) != connect)
                {
                    blackhole.IsBlackholed = true; // this SYN was dropped: the queue is full
                }
            }

            return blackhole;
        }

        public void Dispose()
        {
            foreach (var filler in _fillers)
            {
                filler.Dispose();
            }

            _listener.Dispose();
        }
    }
}
