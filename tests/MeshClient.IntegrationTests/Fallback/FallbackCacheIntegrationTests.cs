using System.Net;
using MeshClient.Fallback;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MeshClient.IntegrationTests.Fallback;

/// <summary>Fallback to cache over real Kestrel upstreams on 127.0.0.1 and a real redis-server shared by two service providers.</summary>
[Trait("Area", "Fallback")]
public sealed class FallbackCacheIntegrationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static Task<Upstream> StartAsync(string body, int port = 0) =>
        Upstream.StartAsync("api", handler: context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body, context.RequestAborted);
        }, port: port);

    private static MeshHost Host(int upstreamPort, string? redis = null, Action<MeshClient.Configuration.FallbackOptions>? fallback = null) => new(services =>
    {
        services.AddLogging(l => l.AddFakeLogging());
        if (redis is not null)
        {
            services.AddStackExchangeRedisCache(o => o.Configuration = redis);
        }

        services.AddMeshExternalService("api.test", s => MeshHost.Static(s, 80, "http", (upstreamPort, 1)))
            .AddFallbackCache(fallback);
    });

    private static FakeLogRecord[] L2Warnings(MeshHost host) =>
        [.. host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Where(r => r.Id.Id == 64)];

    private static async Task StoredAsync(MeshHost host, long count)
    {
        var cache = host.Services.GetRequiredService<FallbackCache>();
        await Upstream.WaitUntilAsync(() => cache.StoredCount >= count, Bound, $"{count} response(s) stored");
    }

    [Fact]
    public async Task Send_UpstreamGoesDownThenRecovers_CachedThenFreshAgain()
    {
        var upstream = await StartAsync("{\"v\":1}");
        var port = upstream.Port;
        using var host = Host(port);
        var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        using (var first = await client.GetAsync("http://api.test/items", ct))
        {
            Assert.Equal("{\"v\":1}", await first.Content.ReadAsStringAsync(ct));
            Assert.False(first.GetMeshResult()!.FromCache);
        }

        await StoredAsync(host, 1);
        await upstream.DisposeAsync();

        using (var served = await client.GetAsync("http://api.test/items", ct))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("{\"v\":1}", await served.Content.ReadAsStringAsync(ct));
            Assert.Equal("stale", served.Headers.GetValues("x-mesh-fallback").Single());
            Assert.NotNull(served.Headers.Age);
            Assert.Equal("application/json", served.Content.Headers.ContentType!.MediaType);
            var result = served.GetMeshResult()!;
            Assert.True(result.FromCache);
            Assert.True((result.Flags & MeshResponseFlags.UpstreamConnectionFailure) != 0, result.ToString());
        }

        using (var uncached = await client.GetAsync("http://api.test/never", ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
        }

        await using var recovered = await StartAsync("{\"v\":2}", port);
        using var fresh = await client.GetAsync("http://api.test/items", ct);
        Assert.Equal("{\"v\":2}", await fresh.Content.ReadAsStringAsync(ct));
        Assert.False(fresh.GetMeshResult()!.FromCache);
    }

    [Fact]
    public async Task Send_SharedRedis_InstanceBServesInstanceAsResponse()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = await StartAsync("{\"from\":\"A\"}");
        using var a = Host(upstream.Port, redis.Configuration);
        using var b = Host(Upstream.DeadPort(), redis.Configuration); // B's upstream is down from the start
        var ct = TestContext.Current.CancellationToken;

        using (var response = await a.CreateClient().GetAsync("http://api.test/shared?x=1", ct))
        {
            Assert.Equal("{\"from\":\"A\"}", await response.Content.ReadAsStringAsync(ct));
        }

        await StoredAsync(a, 1);

        using var served = await b.CreateClient().GetAsync("http://api.test/shared?x=1", ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("{\"from\":\"A\"}", await served.Content.ReadAsStringAsync(ct));
        Assert.True(served.GetMeshResult()!.FromCache);
        Assert.Equal("stale", served.Headers.GetValues("x-mesh-fallback").Single());

        using var other = await b.CreateClient().GetAsync("http://api.test/shared?x=2", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, other.StatusCode);

        // A running Redis: nothing failed, nothing logged.
        foreach (var host in new[] { a, b })
        {
            Assert.Equal(0, host.Services.GetRequiredService<FallbackCache>().Distributed!.ErrorCount);
            Assert.Empty(L2Warnings(host));
        }
    }

    [Fact]
    public async Task Send_RedisStopped_MemoryCacheKeepsServing()
    {
        await using var redis = await RedisServer.StartAsync();
        var upstream = await StartAsync("{\"v\":1}");
        using var host = Host(upstream.Port, redis.Configuration);
        var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        (await client.GetAsync("http://api.test/a", ct)).Dispose();
        await StoredAsync(host, 1);
        await redis.StopAsync();

        // Still answering, and storing in memory, with the Redis write failing off the caller's path.
        using (var whileRedisDown = await client.GetAsync("http://api.test/b", ct))
        {
            Assert.Equal(HttpStatusCode.OK, whileRedisDown.StatusCode);
        }

        // The memory write of /b is not behind the failing Redis write.
        var cache = host.Services.GetRequiredService<FallbackCache>();
        await Upstream.WaitUntilAsync(() => cache.StoredCount >= 2, Bound, "/b stored while Redis is down");

        await upstream.DisposeAsync();
        foreach (var path in new[] { "/a", "/b" })
        {
            using var served = await client.GetAsync("http://api.test" + path, ct);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("{\"v\":1}", await served.Content.ReadAsStringAsync(ct));
            Assert.True(served.GetMeshResult()!.FromCache);
        }

        // Redis down is visible: counted, and logged once (rate-limited) however many operations failed.
        Assert.True(cache.Distributed!.ErrorCount >= 1);
        var warning = Assert.Single(L2Warnings(host));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("the distributed cache (L2) failed", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_RedisUnreachable_MemoryServesAndTheFailureIsLoggedOnceWithoutSecrets()
    {
        // Nothing listens on this loopback port: every Redis operation fails fast.
        var redis = $"127.0.0.1:{Upstream.DeadPort()},abortConnect=false,connectTimeout=500,asyncTimeout=500,syncTimeout=500,connectRetry=0";
        var upstream = await StartAsync("{\"v\":1}");
        using var host = Host(upstream.Port, redis, f => f.CacheAuthorizedRequests = true);
        var client = host.CreateClient();
        var cache = host.Services.GetRequiredService<FallbackCache>();
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://api.test/private/{i}");
            request.Headers.Authorization = new("Bearer", "token-that-must-not-be-logged");
            using var response = await client.SendAsync(request, ct);
            Assert.Equal("{\"v\":1}", await response.Content.ReadAsStringAsync(ct));
        }

        await StoredAsync(host, 3);
        await upstream.DisposeAsync();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "http://api.test/private/1"))
        {
            request.Headers.Authorization = new("Bearer", "token-that-must-not-be-logged");
            using var served = await client.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.True(served.GetMeshResult()!.FromCache);
        }

        Assert.True(cache.Distributed!.ErrorCount >= 1, "no L2 failure was counted");
        var warning = Assert.Single(L2Warnings(host));
        Assert.Contains("The in-memory cache keeps serving", warning.Message, StringComparison.Ordinal);
        foreach (var record in host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot())
        {
            Assert.DoesNotContain("token-that-must-not-be-logged", record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("{\"v\":1}", record.Message, StringComparison.Ordinal);
        }
    }
}
