using System.Collections.Concurrent;
using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Resilience;

/// <summary>Retries, timeouts and hedging against real Kestrel servers on 127.0.0.1.</summary>
[Trait("Area", "Retries")]
public sealed class RetryIntegrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void RoundRobin(ExternalServiceOptions s) => s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;

    [Fact]
    public async Task Failing503Endpoint_TheRetryReachesTheHealthyOne()
    {
        var attemptCounts = new ConcurrentQueue<string>();
        await using var failing = await Upstream.StartAsync("failing", handler: context =>
        {
            attemptCounts.Enqueue(context.Request.Headers["x-envoy-attempt-count"].ToString());
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var healthy = await Upstream.StartAsync("healthy", handler: async context =>
        {
            attemptCounts.Enqueue(context.Request.Headers["x-envoy-attempt-count"].ToString());
            await context.Response.WriteAsync("healthy", context.RequestAborted);
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (failing.Port, 1), (healthy.Port, 1));
            RoundRobin(s);
            s.Route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 };
        }));
        var client = mesh.CreateClient();

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("http://api.example.com/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("healthy", await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal(MeshResponseFlags.None, response.GetMeshResult()!.Flags);
        }

        Assert.Equal(4, healthy.Requests);
        Assert.InRange(failing.Requests, 3, 4); // round robin (from a random start) sent the first attempt there from the second request on
        Assert.Contains("2", attemptCounts); // the retried attempts said so
        Assert.All(mesh.Runtime.GetClusters().Single().Endpoints, e => Assert.Equal(0, e.InFlight));
    }

    [Fact]
    public async Task RouteTimeout_OneSecondAgainstAThreeSecondBackend_504UTWithinTheTimeout()
    {
        await using var slow = await Upstream.StartAsync("slow", handler: async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
            await context.Response.WriteAsync("late", context.RequestAborted);
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (slow.Port, 1));
            s.Route.Timeout = TimeSpan.FromSeconds(1);
            s.Route.Retries = new HttpRetryOptions { RetryOn = "5xx,reset", Attempts = 3 };
        }));

        var started = TimeProvider.System.GetTimestamp();
        using var response = await mesh.CreateClient().GetAsync("http://api.example.com/", Ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(2900));
        Assert.Equal(1, response.GetMeshResult()!.Attempts); // the route timeout is never retried
    }

    [Fact]
    public async Task Post_ResetAfterTheServerReadIt_ExecutedExactlyOnce()
    {
        await using var upstream = await Upstream.StartAsync("reset", handler: async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await reader.ReadToEndAsync(context.RequestAborted);
            context.Abort();
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (upstream.Port, 1));
            s.Route.Retries = new HttpRetryOptions { RetryOn = "5xx,reset,connect-failure", Attempts = 3 };
        }));

        using var response = await mesh.CreateClient().PostAsync("http://api.example.com/payments", new StringContent("{\"amount\":100}"), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionTermination, response.GetMeshResult()!.Flags);
        Assert.Equal(1, upstream.Requests); // a reset after sending is not provably unsent: never replayed
        Assert.Empty(response.GetMeshResult()!.Retries);
    }

    [Fact]
    public async Task Post_ToARefusedPort_RetriedToTheLiveEndpoint()
    {
        var bodies = new ConcurrentQueue<string>();
        await using var live = await Upstream.StartAsync("live", handler: async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            bodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
            context.Response.StatusCode = 201;
        });
        var dead = Upstream.DeadPort();
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (dead, 1), (live.Port, 1));
            RoundRobin(s); // Istio's default retry policy: connect-failure is retried, for a POST too
        }));
        var client = mesh.CreateClient();

        var retried = 0;
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("http://api.example.com/orders", new StringContent("order " + i), Ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            retried += response.GetMeshResult()!.Retries.Count(r => r.Reason == "connect-failure");
        }

        Assert.Equal(["order 0", "order 1", "order 2", "order 3"], bodies.Order());
        Assert.True(retried >= 1, "no request was retried after a refused connection");
    }

    [Fact]
    public async Task Hedging_ReturnsTheFastAnswer_AndCancelsTheSlowAttempt()
    {
        var slowCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await Upstream.StartAsync("slow", handler: async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
                await context.Response.WriteAsync("slow", context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                slowCancelled.TrySetResult();
            }
        });
        await using var fast = await Upstream.StartAsync("fast");
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (slow.Port, 1), (fast.Port, 1));
            RoundRobin(s);
            s.Route.Retries = new HttpRetryOptions { Hedging = new HttpHedgingOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = 2 } };
        }));
        var client = mesh.CreateClient();

        var hedged = 0;
        for (var i = 0; i < 2; i++)
        {
            var started = TimeProvider.System.GetTimestamp();
            using var response = await client.GetAsync("http://api.example.com/", Ct);
            Assert.Equal("fast", await response.Content.ReadAsStringAsync(Ct));
            Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(10));
            hedged += response.GetMeshResult()!.Retries.Count;
        }

        Assert.InRange(hedged, 1, 2); // round robin (from a random start) started at least one request on the slow endpoint
        await slowCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Upstream.WaitUntilAsync(() => mesh.Runtime.GetClusters().Single().Endpoints.All(e => e.InFlight == 0), TimeSpan.FromSeconds(10), "no attempt in flight");
    }
}
