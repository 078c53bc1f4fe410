using System.Net;
using System.Threading.Channels;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Connections;

/// <summary>Admission on the request path, over the in-memory wire: overflow, waiting, and counters that return to zero on every way an attempt ends.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class ConnectionPoolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly Channel<HttpRequestMessage> _arrived = Channel.CreateUnbounded<HttpRequestMessage>();
    private readonly TaskCompletionSource<HttpStatusCode> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An upstream that holds every request until <see cref="_answer"/> is set (or the attempt is cancelled).</summary>
    private RecordingHandler Held() => new(async (request, ct) =>
    {
        _arrived.Writer.TryWrite(request);
        var status = await _answer.Task.WaitAsync(ct);
        return new HttpResponseMessage(status);
    });

    private MeshHarness Mesh(RecordingHandler handler, Action<ConnectionPoolOptions> pool, int endpoints = 1, TimeSpan? timeout = null, MeshFailureMode mode = MeshFailureMode.Response, Action<ExternalServiceOptions>? service = null) =>
        new(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddMesh(m =>
            {
                m.FailureMode = mode;
                m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 }; // admission alone: one attempt per request (retries would back off on the fake clock)
            });
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 80, [.. Enumerable.Range(1, endpoints).Select(i => $"10.0.0.{i}")]);
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
                s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions();
                pool(s.TrafficPolicy.ConnectionPool);
                s.Route.Timeout = timeout;
                service?.Invoke(s);
            });
        }, handler);

    private static Cluster ClusterOf(MeshHarness harness) => harness.Runtime.GetClusters().Single(c => c.ServiceName == "api.example.com");

    private async Task ArrivedAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _arrived.Reader.ReadAsync(Ct).AsTask().WaitAsync(Bound, Ct);
        }
    }

    private static void AssertIdle(MeshHarness harness)
    {
        var cluster = ClusterOf(harness);
        var stats = harness.Services.GetRequiredService<MeshStatistics>().GetClusterStatistics().Single(s => s.Service == "api.example.com");
        Assert.Equal((0, 0, 0), (stats.ActiveRequests, stats.PendingRequests, stats.ActiveConnections));
        Assert.All(cluster.Endpoints, e => Assert.Equal(0, e.InFlight));
        Assert.All(cluster.Endpoints, e => Assert.Equal((0, 0, 0), (e.Admission.ActiveRequests, e.Admission.PendingRequests, e.Admission.ActiveConnections)));
    }

    [Fact]
    public async Task SendAsync_OverMaxRequests_503UOWithOverloadedHeaderAtOnce()
    {
        using var harness = Mesh(Held(), p => p.Http.Http2MaxRequests = 2);
        var client = harness.CreateClient();
        var admitted = new[] { client.GetAsync("http://api.example.com/", Ct), client.GetAsync("http://api.example.com/", Ct) };
        await ArrivedAsync(2);

        using var refused = await client.GetAsync("http://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("true", refused.Headers.GetValues(MeshResponses.OverloadedHeader).Single());
        Assert.Equal("UO", refused.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal(MeshResponses.OverflowBody, await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal(MeshResponseFlags.UpstreamOverflow, refused.GetMeshResult()!.Flags);
        Assert.Equal(2, harness.Handler.Seen.Count); // never sent
        _answer.SetResult(HttpStatusCode.OK);
        foreach (var response in await Task.WhenAll(admitted).WaitAsync(Bound, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        var stats = harness.Services.GetRequiredService<MeshStatistics>().GetClusterStatistics().Single(s => s.Service == "api.example.com");
        Assert.Equal(1, stats.Overflows);
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_OverflowInThrowMode_MeshUpstreamExceptionWithUO()
    {
        using var harness = Mesh(Held(), p => p.Http.Http2MaxRequests = 1, mode: MeshFailureMode.Throw);
        var client = harness.CreateClient();
        var admitted = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(1);

        var error = await Assert.ThrowsAsync<MeshUpstreamException>(() => client.GetAsync("http://api.example.com/", Ct));

        Assert.Equal(MeshResponseFlags.UpstreamOverflow, error.Flags);
        Assert.StartsWith(MeshResponses.OverflowBody + " (UO, cluster ", error.Message, StringComparison.Ordinal);
        _answer.SetResult(HttpStatusCode.OK);
        (await admitted.WaitAsync(Bound, Ct)).Dispose();
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_CircuitBreakingTask_OneSendsOneWaitsTheRestOverflow()
    {
        using var harness = Mesh(Held(), p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.Http1MaxPendingRequests = 1;
        });
        var client = harness.CreateClient();
        var first = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(1);
        var waiting = client.GetAsync("http://api.example.com/", Ct);

        var refused = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync("http://api.example.com/", Ct))).WaitAsync(Bound, Ct);

        Assert.All(refused, r => Assert.Equal(MeshResponseFlags.UpstreamOverflow, r.GetMeshResult()!.Flags));
        Assert.False(waiting.IsCompleted);
        Assert.Single(harness.Handler.Seen); // the waiting one is not sent while the connection is busy
        _answer.SetResult(HttpStatusCode.OK);
        await ArrivedAsync(1); // then it is
        Assert.Equal(HttpStatusCode.OK, (await first.WaitAsync(Bound, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await waiting.WaitAsync(Bound, Ct)).StatusCode);
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_Overflow_NeverCountsAgainstTheEndpoint()
    {
        using var harness = Mesh(Held(), p => p.Http.Http2MaxRequests = 1, service: s =>
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 1, MaxEjectionPercent = 100 });
        var client = harness.CreateClient();
        var admitted = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(1);

        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.GetAsync("http://api.example.com/", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        var endpoint = Assert.Single(ClusterOf(harness).AvailableEndpoints); // not ejected
        Assert.Equal(0, endpoint.Failures);
        Assert.Equal(1, endpoint.Requests);
        _answer.SetResult(HttpStatusCode.OK);
        (await admitted.WaitAsync(Bound, Ct)).Dispose();
        AssertIdle(harness);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task SendAsync_Responses_CountersBackToZero(HttpStatusCode status)
    {
        using var harness = Mesh(new RecordingHandler((_, _) => Task.FromResult(new HttpResponseMessage(status))), p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.Http2MaxRequests = 1;
        });

        for (var i = 0; i < 3; i++)
        {
            using var response = await harness.CreateClient().GetAsync("http://api.example.com/", Ct);
            Assert.Equal(status, response.StatusCode);
        }

        AssertIdle(harness);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError)]
    [InlineData(HttpRequestError.ResponseEnded)]
    public async Task SendAsync_UpstreamFailures_CountersBackToZero(HttpRequestError error)
    {
        using var harness = Mesh(RecordingHandler.Throwing(error), p => p.Tcp.MaxConnections = 1);

        using var response = await harness.CreateClient().GetAsync("http://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_CallerErrorAndThrowingHandler_CountersBackToZero()
    {
        using var harness = Mesh(new RecordingHandler((_, _) => throw new InvalidOperationException("the caller's own")), p => p.Tcp.MaxConnections = 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.CreateClient().GetAsync("http://api.example.com/", Ct));

        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_CancelledWhileSendingAndWhileWaiting_CountersBackToZero()
    {
        using var harness = Mesh(Held(), p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.Http1MaxPendingRequests = 1;
        });
        var client = harness.CreateClient();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sending = client.GetAsync("http://api.example.com/", cancel.Token);
        await ArrivedAsync(1);
        var waiting = client.GetAsync("http://api.example.com/", cancel.Token);
        Assert.Equal(1, ClusterOf(harness).Admission.PendingRequests);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(Bound, Ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound, Ct));
        Assert.Single(harness.Handler.Seen);
        Assert.Equal(0, ClusterOf(harness).Endpoints[0].Failures);
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_RouteTimeoutWhileWaiting_504UTAndCountersBackToZero()
    {
        var timeout = TimeSpan.FromSeconds(2);
        using var harness = Mesh(Held(), p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.Http1MaxPendingRequests = 1;
        }, timeout: timeout);
        var client = harness.CreateClient();
        var sending = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(1);
        var waiting = client.GetAsync("http://api.example.com/", Ct);

        _time.Advance(timeout);

        using var sent = await sending.WaitAsync(Bound, Ct);
        using var waited = await waiting.WaitAsync(Bound, Ct);
        Assert.Equal(HttpStatusCode.GatewayTimeout, sent.StatusCode);
        Assert.Equal(HttpStatusCode.GatewayTimeout, waited.StatusCode);

        // Both timers fire in one Advance: the first attempt's end may hand its connection to the
        // waiting one just before that one's own timeout, so it may or may not have been sent.
        Assert.Equal(harness.Handler.Seen.Count, ClusterOf(harness).Endpoints[0].Failures);
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_EndpointScope_EachEndpointGetsTheLimits()
    {
        using var harness = Mesh(Held(), p =>
        {
            p.Http.Http2MaxRequests = 1;
            p.Scope = ConnectionPoolScope.Endpoint;
        }, endpoints: 2);
        var client = harness.CreateClient();
        var first = client.GetAsync("http://api.example.com/", Ct);
        var second = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(2);

        using var refused = await client.GetAsync("http://api.example.com/", Ct);

        Assert.Equal(MeshResponseFlags.UpstreamOverflow, refused.GetMeshResult()!.Flags);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], harness.Handler.Seen.Select(s => s.Target).Order());
        Assert.Equal(0, ClusterOf(harness).Admission.ActiveRequests); // nothing counted on the cluster
        _answer.SetResult(HttpStatusCode.OK);
        (await first.WaitAsync(Bound, Ct)).Dispose();
        (await second.WaitAsync(Bound, Ct)).Dispose();
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_ClusterScope_LimitSharedByEveryEndpoint()
    {
        using var harness = Mesh(Held(), p => p.Http.Http2MaxRequests = 1, endpoints: 2);
        var client = harness.CreateClient();
        var first = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(1);

        using var refused = await client.GetAsync("http://api.example.com/", Ct);

        Assert.Equal(MeshResponseFlags.UpstreamOverflow, refused.GetMeshResult()!.Flags);
        _answer.SetResult(HttpStatusCode.OK);
        (await first.WaitAsync(Bound, Ct)).Dispose();
        AssertIdle(harness);
    }

    [Fact]
    public async Task SendAsync_ResolutionNone_AdmittedOnTheCluster()
    {
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                s.Resolution = ServiceResolution.None;
                s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
                s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { Http2MaxRequests = 1 } };
            }),
            Held());
        var client = harness.CreateClient();
        var first = client.GetAsync("http://api.example.com/", Ct);
        await ArrivedAsync(1);

        using var refused = await client.GetAsync("http://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamOverflow, refused.GetMeshResult()!.Flags);
        _answer.SetResult(HttpStatusCode.OK);
        (await first.WaitAsync(Bound, Ct)).Dispose();
        Assert.Equal(0, ClusterOf(harness).Admission.ActiveRequests);
    }

    [Fact]
    public void EndAttempt_EndedWhileWaiting_IsAnOverflowNotAFailure()
    {
        using var harness = Mesh(Held(), p => p.Tcp.MaxConnections = 1, service: s =>
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 1, MaxEjectionPercent = 100 });
        var cluster = ClusterOf(harness);
        var sending = cluster.Start()!;
        var pick = cluster.StartAttempt(default, out var pool, out var waiting);
        Assert.True(waiting.MustWait);

        cluster.EndAttempt(pick, pool, waiting, MeshClient.Health.AttemptOutcome.LocalFailure(MeshResponseFlags.UpstreamRequestTimeout, 0, 0));

        var endpoint = Assert.Single(cluster.AvailableEndpoints); // a timeout in the queue ejects nothing
        Assert.Equal(0, endpoint.Failures);
        Assert.Equal(0, cluster.Admission.PendingRequests);
        sending.End();
        AssertIdle(harness);
    }
}
