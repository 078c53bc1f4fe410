using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using MeshClient.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MeshClient.Tests.Fallback;

[Trait("Area", "Fallback")]
public sealed class MeshFallbackHandlerTests
{
    [Fact]
    public async Task Send_ServiceDownAfterSuccess_ServesCachedResponseMarked()
    {
        using var mesh = new FallbackTestMesh();
        var (fresh, body) = await mesh.GetAsync();
        Assert.Equal("v1", body);
        Assert.Null(fresh.Headers.Contains("x-mesh-fallback") ? "marked" : null);
        await mesh.StoredAsync(1);

        mesh.Upstream = FallbackTestMesh.Down;
        mesh.Time.Advance(TimeSpan.FromSeconds(42));
        var (served, servedBody) = await mesh.GetAsync();

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("v1", servedBody);
        Assert.Equal("stale", Assert.Single(served.Headers.GetValues("x-mesh-fallback")));
        Assert.Equal(TimeSpan.FromSeconds(42), served.Headers.Age);
        var result = served.GetMeshResult()!;
        Assert.True(result.FromCache);
        Assert.True((result.Flags & MeshResponseFlags.UpstreamConnectionFailure) != 0, result.ToString());
        Assert.Contains("UF", served.Headers.GetValues("x-mesh-response-flags").Single(), StringComparison.Ordinal);
        Assert.Equal("text/plain; charset=utf-8", served.Content.Headers.ContentType!.ToString());
        Assert.Equal(1, mesh.Cache.ServedCount);
    }

    [Fact]
    public async Task Send_TheMeshsGeneratedHashCookie_DoesNotKeepTheResponseOutOfTheCache_NorIsItServed()
    {
        // The consistent-hash cookie is the mesh's own, per caller: the upstream's response is still shared.
        using var mesh = new FallbackTestMesh(service: s => s.TrafficPolicy.LoadBalancer.ConsistentHash = new ConsistentHashOptions
        {
            HttpCookie = new HttpCookieOptions { Name = "affinity", Ttl = TimeSpan.FromHours(1) },
        });
        var (fresh, _) = await mesh.GetAsync();
        Assert.StartsWith("affinity=", Assert.Single(fresh.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        await mesh.StoredAsync(1);

        mesh.Upstream = FallbackTestMesh.Down;
        var (served, body) = await mesh.GetAsync();

        Assert.Equal("v1", body);
        Assert.True(served.GetMeshResult()!.FromCache);
        Assert.False(served.Headers.Contains("Set-Cookie")); // another caller's cookie is never handed out
    }

    [Fact]
    public async Task Send_UpstreamSetsACookie_NotCached()
    {
        using var mesh = new FallbackTestMesh(service: s => s.TrafficPolicy.LoadBalancer.ConsistentHash = new ConsistentHashOptions
        {
            HttpCookie = new HttpCookieOptions { Name = "affinity", Ttl = TimeSpan.FromHours(1) },
        });
        mesh.Upstream = FallbackTestMesh.Ok("v1", response => response.Headers.TryAddWithoutValidation("Set-Cookie", "session=abc; HttpOnly"));
        await mesh.GetAsync();
        mesh.Upstream = FallbackTestMesh.Down;

        var (served, _) = await mesh.GetAsync();

        Assert.False(served.GetMeshResult()!.FromCache); // the upstream's own cookie keeps the response private
        Assert.Equal(0, mesh.Cache.ServedCount);
    }

    [Fact]
    public async Task Send_ServiceRecovers_FreshResponsesAgain()
    {
        using var mesh = new FallbackTestMesh();
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;
        Assert.True((await mesh.GetAsync()).Response.GetMeshResult()!.FromCache);

        mesh.Upstream = FallbackTestMesh.Ok("v2");
        var (response, body) = await mesh.GetAsync();

        Assert.Equal("v2", body);
        Assert.False(response.GetMeshResult()!.FromCache);
        Assert.False(response.Headers.Contains("x-mesh-fallback"));
    }

    [Fact]
    public async Task Send_PastTtlPlusMaxStale_FailureGoesThrough()
    {
        using var mesh = new FallbackTestMesh(f =>
        {
            f.Ttl = TimeSpan.FromMinutes(1);
            f.MaxStale = TimeSpan.FromMinutes(2);
        });
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        mesh.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.True((await mesh.GetAsync()).Response.GetMeshResult()!.FromCache); // exactly at the end of the window

        mesh.Time.Advance(TimeSpan.FromSeconds(1));
        var (response, _) = await mesh.GetAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.GetMeshResult()!.FromCache);
    }

    [Fact]
    public async Task Send_MaxAgeAndStaleIfError_ShortenTheWindow()
    {
        using var mesh = new FallbackTestMesh();
        mesh.Upstream = FallbackTestMesh.Ok("v1", r => r.Headers.CacheControl = CacheControlHeaderValue.Parse("max-age=10, stale-if-error=20"));
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        mesh.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await mesh.GetAsync()).Response.GetMeshResult()!.FromCache);
        mesh.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await mesh.GetAsync()).Response.GetMeshResult()!.FromCache);
    }

    [Theory]
    [InlineData("no-store")]
    [InlineData("private, max-age=60")]
    public async Task Send_NoStoreOrPrivate_NotCached(string cacheControl)
    {
        using var mesh = new FallbackTestMesh();
        mesh.Upstream = FallbackTestMesh.Ok("secret", r => r.Headers.CacheControl = CacheControlHeaderValue.Parse(cacheControl));
        await mesh.GetAsync();
        mesh.Upstream = FallbackTestMesh.Down;

        var (response, body) = await mesh.GetAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
        Assert.Equal(0, mesh.Cache.StoredCount);
    }

    [Fact]
    public async Task Send_BodyOverMaxBodyBytes_NotCached()
    {
        using var mesh = new FallbackTestMesh(f => f.MaxBodyBytes = 4);
        mesh.Upstream = FallbackTestMesh.Ok("12345");
        Assert.Equal("12345", (await mesh.GetAsync()).Body); // the caller still gets all of it
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync()).Response.StatusCode);
        Assert.Equal(0, mesh.Cache.StoredCount);
    }

    [Fact]
    public async Task Send_StreamedBodyOverMaxBodyBytes_NotCachedAndCallerReadsAll()
    {
        using var mesh = new FallbackTestMesh(f => f.MaxBodyBytes = 4);
        mesh.Upstream = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream("123456789"u8.ToArray())) });
        using var response = await mesh.Client.GetAsync("http://api.example.com/big", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal("123456789", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync("/big")).Response.StatusCode);
        Assert.Equal(0, mesh.Cache.StoredCount);
    }

    [Fact]
    public async Task Send_CallerStopsReadingBeforeTheEnd_NothingStored()
    {
        using var mesh = new FallbackTestMesh();
        mesh.Upstream = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream("123456789"u8.ToArray())) });
        using (var response = await mesh.Client.GetAsync("http://api.example.com/part", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken))
        {
            await using var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
            Assert.Equal(3, await stream.ReadAsync(new byte[3], TestContext.Current.CancellationToken));
        }

        mesh.Upstream = FallbackTestMesh.Down;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync("/part")).Response.StatusCode);
        Assert.Equal(0, mesh.Cache.StoredCount);
    }

    [Fact]
    public async Task Send_UpstreamStatus503_ServesCached()
    {
        using var mesh = new FallbackTestMesh();
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Status(503);

        var (response, body) = await mesh.GetAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("v1", body);
        Assert.True(response.GetMeshResult()!.FromCache);
    }

    [Fact]
    public async Task Send_UpstreamStatusNotConfigured_FailureGoesThrough()
    {
        using var mesh = new FallbackTestMesh(f => f.StatusCodes.Add(500));
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Status(404);

        Assert.Equal(HttpStatusCode.NotFound, (await mesh.GetAsync()).Response.StatusCode);
        mesh.Upstream = FallbackTestMesh.Status(500);
        Assert.Equal(HttpStatusCode.OK, (await mesh.GetAsync()).Response.StatusCode);
    }

    [Fact]
    public async Task Send_DifferentPathOrQuery_NotServedAnotherResponse()
    {
        using var mesh = new FallbackTestMesh();
        await mesh.GetAsync("/items?id=1");
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync("/items?id=2")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync("/other?id=1")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mesh.GetAsync("/items?id=1")).Response.StatusCode);
    }

    [Fact]
    public async Task Send_VaryHeader_KeyedByItsValue()
    {
        using var mesh = new FallbackTestMesh(f => f.VaryHeaders.Add("Accept-Language"));
        mesh.Upstream = FallbackTestMesh.Ok("bonjour", r => r.Headers.Vary.Add("Accept-Language"));
        await mesh.GetAsync(prepare: r => r.Headers.AcceptLanguage.ParseAdd("fr"));
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync(prepare: r => r.Headers.AcceptLanguage.ParseAdd("de"))).Response.StatusCode);
        Assert.Equal("bonjour", (await mesh.GetAsync(prepare: r => r.Headers.AcceptLanguage.ParseAdd("fr"))).Body);
    }

    [Fact]
    public async Task Send_ResponseVariesOnUnlistedHeader_NotCached()
    {
        using var mesh = new FallbackTestMesh();
        mesh.Upstream = FallbackTestMesh.Ok("x", r => r.Headers.Vary.Add("X-Tenant"));
        await mesh.GetAsync();
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync()).Response.StatusCode);
    }

    [Fact]
    public async Task Send_AuthorizationWithoutOptIn_NeitherCachedNorServed()
    {
        using var mesh = new FallbackTestMesh();
        await mesh.GetAsync(prepare: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "alice"));
        await mesh.GetAsync(); // anonymous: cached
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        var (response, _) = await mesh.GetAsync(prepare: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "alice"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Send_CredentialsOptedIn_OneCallersResponseNeverServedToAnother()
    {
        using var mesh = new FallbackTestMesh(f => f.CacheAuthorizedRequests = true);
        mesh.Upstream = (request, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("private to " + (request.Headers.Authorization?.Parameter ?? request.Headers.GetValues("Cookie").Single())),
        });
        await mesh.GetAsync(prepare: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "alice"));
        await mesh.GetAsync(prepare: r => r.Headers.Add("Cookie", "session=carol"));
        await mesh.StoredAsync(2);
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal("private to alice", (await mesh.GetAsync(prepare: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "alice"))).Body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync(prepare: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bob"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync()).Response.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync(prepare: r => r.Headers.Add("Cookie", "session=dave"))).Response.StatusCode);
        Assert.Equal("private to session=carol", (await mesh.GetAsync(prepare: r => r.Headers.Add("Cookie", "session=carol"))).Body);
    }

    [Fact]
    public async Task Send_SetCookieResponse_NotCached()
    {
        using var mesh = new FallbackTestMesh();
        mesh.Upstream = FallbackTestMesh.Ok("x", r => r.Headers.Add("Set-Cookie", "session=1"));
        await mesh.GetAsync();
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync()).Response.StatusCode);
    }

    [Fact]
    public async Task Send_Post_NotCachedByDefault()
    {
        using var mesh = new FallbackTestMesh();
        using (var post = await mesh.Client.PostAsync("http://api.example.com/items?id=1", new StringContent("x"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        mesh.Upstream = FallbackTestMesh.Down;
        using var failed = await mesh.Client.PostAsync("http://api.example.com/items?id=1", new StringContent("x"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(0, mesh.Cache.StoredCount);
    }

    [Fact]
    public async Task Send_HeadRequest_CachedWithoutBody()
    {
        using var mesh = new FallbackTestMesh();
        using (var head = await mesh.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "http://api.example.com/h"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;
        using var served = await mesh.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "http://api.example.com/h"), TestContext.Current.CancellationToken);
        Assert.True(served.GetMeshResult()!.FromCache);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync("/h")).Response.StatusCode); // GET is another key
    }

    [Fact]
    public async Task Send_CallerCancelled_NeverServedFromCache()
    {
        using var mesh = new FallbackTestMesh();
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        using var caller = new CancellationTokenSource();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mesh.Upstream = async (_, ct) =>
        {
            reached.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };

        var sending = mesh.Client.GetAsync("http://api.example.com/items?id=1", caller.Token);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        Assert.Equal(0, mesh.Cache.ServedCount);
    }

    [Fact]
    public async Task Send_ThrowMode_CachedResponseInsteadOfException()
    {
        using var mesh = new FallbackTestMesh(mesh: m => m.FailureMode = MeshFailureMode.Throw);
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        var (response, body) = await mesh.GetAsync();
        Assert.Equal("v1", body);
        Assert.True(response.GetMeshResult()!.FromCache);

        await Assert.ThrowsAsync<MeshUpstreamException>(() => mesh.GetAsync("/never-cached"));
    }

    [Fact]
    public async Task Send_NothingCached_UserFallbackSynthesizes()
    {
        FallbackContext? seen = null;
        using var mesh = new FallbackTestMesh(respond: context =>
        {
            seen = context;
            return ValueTask.FromResult<HttpResponseMessage?>(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[]") });
        });
        mesh.Upstream = FallbackTestMesh.Down;

        var (response, body) = await mesh.GetAsync("/list");

        Assert.Equal("[]", body);
        Assert.Equal("synthesized", response.Headers.GetValues("x-mesh-fallback").Single());
        Assert.False(response.GetMeshResult()!.FromCache);
        Assert.Equal("api.example.com", seen!.Service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, seen.Failure!.StatusCode);
        Assert.True((seen.Result.Flags & MeshResponseFlags.UpstreamConnectionFailure) != 0);
    }

    [Fact]
    public async Task Send_UserFallbackReturnsNull_FailureGoesThrough()
    {
        using var mesh = new FallbackTestMesh(respond: _ => ValueTask.FromResult<HttpResponseMessage?>(null));
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync()).Response.StatusCode);
    }

    [Fact]
    public async Task Send_OnFlagsNone_ConnectionFailureGoesThrough()
    {
        using var mesh = new FallbackTestMesh(f => f.OnFlags = MeshResponseFlags.None);
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mesh.GetAsync()).Response.StatusCode);
    }

    [Fact]
    public async Task Send_UpstreamResetsTheConnection_ServesCachedWithUC()
    {
        using var mesh = new FallbackTestMesh();
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = static (_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ResponseEnded, "the server closed the connection"));

        var (response, body) = await mesh.GetAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("v1", body);
        var result = response.GetMeshResult()!;
        Assert.True(result.FromCache);
        Assert.True((result.Flags & MeshResponseFlags.UpstreamConnectionTermination) != 0, result.ToString());
    }

    [Fact]
    public async Task Send_MoreUrlsThanMaxEntries_MemoryLevelStaysWithinTheBound()
    {
        using var mesh = new FallbackTestMesh(f => f.MaxEntries = 5);
        for (var i = 0; i < 40; i++)
        {
            await mesh.GetAsync("/items?id=" + i);
            await mesh.StoredAsync(i + 1);
            Assert.InRange(mesh.Cache.StoreFor(mesh.Harness.Runtime.State.Snapshot.Fallbacks.Match("api.example.com", 80)!).Memory.Count, 0, 5);
        }

        var store = mesh.Cache.StoreFor(mesh.Harness.Runtime.State.Snapshot.Fallbacks.Match("api.example.com", 80)!);
        Assert.Equal(5, store.MaxEntries);
        Assert.InRange(store.Memory.Count, 1, 5);

        // What is still in memory is served; no more than the bound can be.
        mesh.Upstream = FallbackTestMesh.Down;
        var served = 0;
        for (var i = 0; i < 40; i++)
        {
            if ((await mesh.GetAsync("/items?id=" + i)).Response.GetMeshResult()!.FromCache)
            {
                served++;
            }
        }

        Assert.InRange(served, 1, 5);
    }

    [Fact]
    public async Task Send_StoredAndServed_CountedOnTheMeshClientMeter()
    {
        using var mesh = new FallbackTestMesh();
        var meters = mesh.Harness.Services.GetRequiredService<IMeterFactory>();
        using var stored = new MetricCollector<long>(meters, "MeshClient", "meshclient.fallback.stored");
        using var served = new MetricCollector<long>(meters, "MeshClient", "meshclient.fallback.served");
        await mesh.GetAsync();
        await mesh.StoredAsync(1);
        mesh.Upstream = FallbackTestMesh.Down;

        Assert.True((await mesh.GetAsync()).Response.GetMeshResult()!.FromCache);

        Assert.Equal("api.example.com", Assert.Single(stored.GetMeasurementSnapshot()).Tags["service"]);
        var measurement = Assert.Single(served.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(("api.example.com", "cache"), (measurement.Tags["service"], measurement.Tags["source"]));
        Assert.Contains("UF", (string)measurement.Tags["response_flags"]!, StringComparison.Ordinal);
    }
}
