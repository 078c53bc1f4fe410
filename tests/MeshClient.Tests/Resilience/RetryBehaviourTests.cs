using System.Net;
using MeshClient.Configuration;
using MeshClient.Resilience;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Resilience;

/// <summary>Retry mechanics on the route pipeline: limits and URX, idempotency, timeouts, cancellation, bodies, headers.</summary>
[Trait("Area", "Retries")]
public sealed class RetryBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> ConnectFailure =
        RetryOnTests.Outcome("connect");

    [Fact]
    public async Task AttemptsExhausted_LastResponseReturnedWithURX_AlternatingEndpoints()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 });
        mesh.Then(RetryTestMesh.Status(503), RetryTestMesh.Status(503), RetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // the upstream's own last response
        var result = response.GetMeshResult()!;
        Assert.Equal(MeshResponseFlags.UpstreamRetryLimitExceeded, result.Flags);
        Assert.Equal(3, result.Attempts);
        // The third attempt finds both endpoints tried: after 5 redraws the last pick stands (Envoy's host_selection_retry_max_attempts).
        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443", "10.0.0.2:443"], mesh.Harness.Handler.Seen.Select(s => s.Target));
        Assert.Equal([(1, "10.0.0.1:443", "503"), (2, "10.0.0.2:443", "503")], result.Retries.Select(r => (r.Attempt, r.Endpoint, r.Reason)));
        mesh.AssertIdle();
    }

    [Fact]
    public async Task EveryAttempt_CarriesXEnvoyAttemptCount()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 2 });
        mesh.Then(RetryTestMesh.Status(500), RetryTestMesh.Status(500));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(["1", "2", "3"], mesh.AttemptCounts);
    }

    [Fact]
    public async Task ConnectFailures_UnderIstioDefault_RetriedTwiceThenUFURX()
    {
        using var mesh = new RetryTestMesh();
        mesh.Then(ConnectFailure, ConnectFailure, ConnectFailure);

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Equal(3, response.GetMeshResult()!.Attempts);
        Assert.All(mesh.Cluster.Endpoints, e => Assert.True(e.Failures > 0));
        mesh.AssertIdle();
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("TRACE", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    [InlineData("CUSTOM", false)]
    public async Task SafeByDefault_A503IsRetriedOnlyForIdempotentMethods(string method, bool retried)
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 1 });
        mesh.Then(RetryTestMesh.Status(503));
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://api.example.com/");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(retried ? 2 : 1, response.GetMeshResult()!.Attempts);
    }

    [Theory]
    [InlineData("connect")]
    [InlineData("refused")]
    public async Task SafeByDefault_APostThatNeverReachedTheServer_IsRetried(string outcome)
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 1 });
        mesh.Then(RetryOnTests.Outcome(outcome));

        using var response = await mesh.Client.PostAsync("https://api.example.com/", new StringContent("payment"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, response.GetMeshResult()!.Attempts);
        Assert.Equal(["payment", "payment"], mesh.Bodies);
    }

    [Fact]
    public async Task SafeByDefault_APostReset_IsNotRetried()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx,reset", Attempts = 2 });
        mesh.Then(RetryOnTests.Outcome("reset"));

        using var response = await mesh.Client.PostAsync("https://api.example.com/", new StringContent("payment"), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionTermination, response.GetMeshResult()!.Flags); // no URX: not retriable, not exhausted
        Assert.Single(mesh.Bodies);
    }

    [Fact]
    public async Task IdempotencyKey_MakesAPostRetriable()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 1 });
        mesh.Then(RetryTestMesh.Status(503));
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/") { Content = new StringContent("payment") };
        request.Headers.Add("Idempotency-Key", "8e03978e-40d5-43e8-bc93-6894a57f9324");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(2, response.GetMeshResult()!.Attempts);
    }

    [Fact]
    public async Task RetryNonIdempotent_OptsTheRouteIntoEnvoysBehaviour()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 1, RetryNonIdempotent = true });
        mesh.Then(RetryTestMesh.Status(503));

        using var response = await mesh.Client.PostAsync("https://api.example.com/", new StringContent("x"), Ct);

        Assert.Equal(2, response.GetMeshResult()!.Attempts);
    }

    [Fact]
    public async Task StreamBody_KnownLengthWithinTheLimit_IsBufferedAndSentAgain()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "connect-failure", Attempts = 1 });
        mesh.Then(ConnectFailure);
        var content = new StreamContent(new OneShotStream("streamed body"u8.ToArray()));
        content.Headers.ContentLength = 13;

        using var response = await mesh.Client.PostAsync("https://api.example.com/", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["streamed body", "streamed body"], mesh.Bodies);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(64L)]
    public async Task StreamBody_UnknownLengthOrOverTheLimit_GetsOneAttempt(long? length)
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "connect-failure", Attempts = 1, MaxRequestBufferBytes = 16 });
        mesh.Then(ConnectFailure);
        var content = new StreamContent(new OneShotStream(new byte[64]));
        content.Headers.ContentLength = length;

        using var response = await mesh.Client.PostAsync("https://api.example.com/", content, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // never a failure of its own
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task PerTryTimeout_RetriedWhenRetryOnHasReset()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "reset", Attempts = 1, PerTryTimeout = TimeSpan.FromSeconds(1) });
        mesh.Then(mesh.Hang());

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromSeconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var retry = Assert.Single(response.GetMeshResult()!.Retries);
        Assert.Equal("per-try-timeout", retry.Reason);
        Assert.Equal(1, mesh.Cluster.Endpoints[0].Failures); // Envoy records the timeout against the endpoint
        mesh.AssertIdle();
    }

    [Fact]
    public async Task PerTryTimeout_UnderIstioDefaultRetryOn_IsNotRetried_504UT()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { PerTryTimeout = TimeSpan.FromSeconds(1) });
        mesh.Then(mesh.Hang());

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromSeconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task RouteTimeout_SpansEveryAttempt_AndIsNeverRetried()
    {
        using var mesh = new RetryTestMesh(route =>
        {
            route.Timeout = TimeSpan.FromSeconds(3);
            route.Retries = new HttpRetryOptions { RetryOn = "5xx,reset", Attempts = 5, PerTryTimeout = TimeSpan.FromSeconds(2) };
        });
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mesh.Then(mesh.Hang(), async (_, ct) =>
        {
            second.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromSeconds(2)); // the first try times out and is retried
        await second.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromSeconds(1)); // the route timeout ends it all
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags);
        Assert.Equal(2, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task CallerCancellation_IsNeverRetriedNorCounted()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx,reset", Attempts = 3 });
        mesh.Then(mesh.Hang());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = mesh.Client.GetAsync("https://api.example.com/", cts.Token);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Single(mesh.Harness.Handler.Seen);
        Assert.All(mesh.Cluster.Endpoints, e => Assert.Equal(0, e.Failures));
        mesh.AssertIdle();
    }

    [Fact]
    public async Task RetryAfter_WhenHonoured_SetsTheWait()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 1, HonorRetryAfter = true });
        mesh.Then((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(5));
            return Task.FromResult(response);
        });

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        for (var i = 0; i < 100 && mesh.Harness.Handler.Seen.Count == 0; i++)
        {
            await Task.Yield();
        }

        mesh.Time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Single(mesh.Harness.Handler.Seen);
        mesh.Time.Advance(TimeSpan.FromSeconds(0.1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, mesh.Harness.Handler.Seen.Count);
    }

    [Fact]
    public async Task Backoff_WaitsEnvoysJitteredInterval()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 1, Backoff = TimeSpan.FromMilliseconds(100) }, jitter: 0.5);
        mesh.Then(RetryTestMesh.Status(503));

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        for (var i = 0; i < 100 && mesh.Harness.Handler.Seen.Count == 0; i++)
        {
            await Task.Yield();
        }

        mesh.Time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Single(mesh.Harness.Handler.Seen);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(1)); // 0.5 × [0, 100 ms)
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(0, 25)]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(4, 250)]
    [InlineData(9, 250)]
    public void EnvoyBackoff_Interval_DoublesUpToTenTimesTheBase(int retry, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), EnvoyBackoff.Interval(retry, TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250)));
        Assert.Equal(TimeSpan.Zero, EnvoyBackoff.Delay(retry, TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250), 0));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds - 1), EnvoyBackoff.Delay(retry, TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250), 0.99999));
    }

    [Fact]
    public void DefaultPolicy_IsIstios_AndThePassthroughRouteHasNone()
    {
        using var mesh = new RetryTestMesh();

        var policy = mesh.Harness.Runtime.OnlyRoute().Definition.Retry!;
        Assert.Equal(2, policy.MaxRetries);
        Assert.Equal(
            RetryConditions.ConnectFailure | RetryConditions.RefusedStream | RetryConditions.GrpcUnavailable | RetryConditions.GrpcCancelled | RetryConditions.RetriableStatusCodes,
            policy.Conditions);
        Assert.Empty(policy.StatusCodes);
        Assert.Null(mesh.Harness.Runtime.State.Passthrough.Definition.Retry);
    }

    [Fact]
    public void MeshDefaultRetryPolicy_AppliesToRoutesWithoutRetries()
    {
        using var off = new RetryTestMesh(mesh: m => m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 });
        using var own = new RetryTestMesh(mesh: m => m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 4, RetryOn = "gateway-error" });
        using var routeWins = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { Attempts = 1 }, mesh: m => m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 });

        Assert.Null(off.Harness.Runtime.OnlyRoute().Definition.Retry);
        Assert.Equal((4, RetryConditions.GatewayError), (own.Harness.Runtime.OnlyRoute().Definition.Retry!.MaxRetries, own.Harness.Runtime.OnlyRoute().Definition.Retry!.Conditions));
        Assert.Equal(1, routeWins.Harness.Runtime.OnlyRoute().Definition.Retry!.MaxRetries);
    }

    [Fact]
    public void RoutesWithEqualPolicies_ShareOnePipeline()
    {
        using var mesh = new RetryTestMesh(service: s =>
        {
            s.Http.Add(new HttpRouteOptions { Name = "a", Match = { new HttpMatchOptions { Uri = new StringMatchOptions { Prefix = "/a" } } }, Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = "api.example.com" } } }, Retries = new HttpRetryOptions { RetryOn = "5xx" } });
            s.Http.Add(new HttpRouteOptions { Name = "b", Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = "api.example.com" } } }, Retries = new HttpRetryOptions { RetryOn = "5xx" } });
        });

        var routes = mesh.Harness.Runtime.State.VirtualHosts.Entries.Single().Value.Routes;
        Assert.Same(routes[0].Pipeline, routes[1].Pipeline);
    }

    [Fact]
    public async Task TimeoutsOutsidePollysFixedRange_StillWork()
    {
        // Istio accepts 1 ms and more than a day; Polly's Timeout property only 10 ms to 24 h.
        using var mesh = new RetryTestMesh(route =>
        {
            route.Timeout = TimeSpan.FromHours(48);
            route.Retries = new HttpRetryOptions { RetryOn = "reset", Attempts = 1, PerTryTimeout = TimeSpan.FromMilliseconds(2) };
        });
        mesh.Then(mesh.Hang());

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(2));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, response.GetMeshResult()!.Attempts);
    }

    [Fact]
    public async Task RetriedResponse_IsDisposed_SoItsConnectionIsReleased()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 1 });
        var first = new TrackedContent();
        mesh.Then((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = first }));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(first.Disposed);
    }

    private sealed class TrackedContent : ByteArrayContent
    {
        public TrackedContent()
            : base([])
        {
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A body that can be read once, like a request stream being forwarded.</summary>
    private sealed class OneShotStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
