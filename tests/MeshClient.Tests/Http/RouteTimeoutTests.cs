using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Http;

[Trait("Area", "Routing")]
public sealed class RouteTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = new();
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An upstream that answers only when cancelled (or never).</summary>
    private RecordingHandler Hanging() => new(async (_, ct) =>
    {
        _reached.TrySetResult();
        await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
        return new HttpResponseMessage(HttpStatusCode.OK);
    });

    private MeshHarness Mesh(RecordingHandler handler, TimeSpan? timeout, MeshFailureMode mode = MeshFailureMode.Response, TimeSpan? defaultTimeout = null) =>
        new(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddMesh(m =>
            {
                m.FailureMode = mode;
                m.DefaultTimeout = defaultTimeout;
            });
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 443, "10.0.0.1");
                s.Route.Timeout = timeout;
            });
        }, handler);

    [Fact]
    public async Task Timeout_Expires_Returns504UTAndCountsTheAttemptAsFailed()
    {
        using var harness = Mesh(Hanging(), Timeout);

        var call = harness.CreateClient().GetAsync("https://api.example.com/slow", Ct);
        await _reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponses.TimeoutBody, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("UT", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        var result = response.GetMeshResult()!;
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, result.Flags);
        Assert.Equal("10.0.0.1:443", result.Endpoint);
        var endpoint = harness.Runtime.GetClusters().Single().Endpoints.Single();
        Assert.Equal((1L, 0L, 1L, 0), (endpoint.Requests, endpoint.Successes, endpoint.Failures, endpoint.InFlight));
    }

    [Fact]
    public async Task Timeout_ThrowMode_ThrowsMeshTimeoutException()
    {
        using var harness = Mesh(Hanging(), Timeout, MeshFailureMode.Throw);

        var call = harness.CreateClient().GetAsync("https://api.example.com/slow", Ct);
        await _reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        _time.Advance(Timeout);
        var exception = await Assert.ThrowsAsync<MeshTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal(HttpStatusCode.GatewayTimeout, exception.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, exception.Flags);
        Assert.Equal(Timeout, exception.Timeout);
        Assert.Equal("upstream request timeout after 2000 ms (UT, cluster outbound|443||api.example.com, endpoint 10.0.0.1:443)", exception.Message);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, exception.Result!.Flags);
    }

    [Fact]
    public async Task Timeout_ResponseInTime_IsPassedThrough()
    {
        using var harness = Mesh(new RecordingHandler(), Timeout);

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MeshResponseFlags.None, response.GetMeshResult()!.Flags);
    }

    [Fact]
    public async Task Timeout_CallerCancelsFirst_CancellationPropagatesNot504()
    {
        using var harness = Mesh(Hanging(), Timeout);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = harness.CreateClient().GetAsync("https://api.example.com/slow", cts.Token);
        await _reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public void NoTimeout_NoDefaultTimeout_OnlyTheDefaultRetryPolicyIsBuilt()
    {
        using var harness = Mesh(new RecordingHandler(), timeout: null, defaultTimeout: null);

        Assert.Null(harness.Runtime.OnlyRoute().Pipeline); // no timeout: the first attempt needs no pipeline
        Assert.NotNull(harness.Runtime.OnlyRoute().Retries); // Istio's default retry policy, entered on a retriable outcome
        Assert.Null(harness.Runtime.State.Passthrough.Pipeline); // the passthrough route never retries
        Assert.Null(harness.Runtime.State.Passthrough.Retries);
    }

    [Fact]
    public void NoTimeout_RetriesOff_NoPipeline()
    {
        using var harness = new MeshHarness(services =>
        {
            services.AddMesh(m => m.DefaultTimeout = null);
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 443, "10.0.0.1");
                s.Route.Retries = new HttpRetryOptions { Attempts = 0 };
            });
        });

        Assert.Null(harness.Runtime.OnlyRoute().Pipeline);
        Assert.Null(harness.Runtime.OnlyRoute().Definition.Retry);
    }

    [Fact]
    public async Task NoRouteTimeout_TheMeshDefaultTimeoutBoundsTheRequest()
    {
        using var harness = Mesh(Hanging(), timeout: null, defaultTimeout: TimeSpan.FromSeconds(100));
        var call = harness.CreateClient().GetAsync("https://api.example.com/", Ct);
        await _reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        _time.Advance(TimeSpan.FromSeconds(100));

        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags);
        Assert.Equal(TimeSpan.FromSeconds(100), harness.Runtime.State.Passthrough.Definition.Timeout); // unknown hosts too
    }

    [Fact]
    public void MeshClient_DefaultHttpClientTimeout_IsLiftedSoTheMeshOwnsIt()
    {
        using var harness = Mesh(new RecordingHandler(), timeout: null, defaultTimeout: TimeSpan.FromSeconds(100));

        Assert.Equal(System.Threading.Timeout.InfiniteTimeSpan, harness.CreateClient().Timeout);
        Assert.Equal(System.Threading.Timeout.InfiniteTimeSpan, harness.CreateClient("api.example.com").Timeout);
    }

    [Fact]
    public void MeshClient_ApplicationTimeoutOrOptOut_IsKept()
    {
        using var harness = new MeshHarness(services =>
        {
            services.AddHttpClient("own", c => c.Timeout = TimeSpan.FromSeconds(5));
            services.AddMesh();
        });
        using var optedOut = new MeshHarness(services => services.AddMesh(m => m.ManageHttpClientTimeout = false));

        Assert.Equal(TimeSpan.FromSeconds(5), harness.CreateClient("own").Timeout);
        Assert.Equal(TimeSpan.FromSeconds(100), optedOut.CreateClient().Timeout);
        Assert.Null(optedOut.Runtime.State.Passthrough.Pipeline);
    }

    [Fact]
    public void Timeout_FromConfiguration_Binds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resolution"] = "Static",
            ["Ports:0:Number"] = "443",
            ["Ports:0:Name"] = "https",
            ["Endpoints:0:Address"] = "10.0.0.1",
            ["Route:Timeout"] = "00:00:02.500",
        }).Build();
        using var harness = new MeshHarness(services => services.AddMeshExternalService("api.example.com", configuration));

        Assert.Equal(TimeSpan.FromMilliseconds(2500), harness.Runtime.OnlyRoute().Definition.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), harness.Runtime.OnlyRoute().Timeout?.Duration);
    }

    [Fact]
    public void Timeout_ChangedByReload_AppliedToTheSameCluster()
    {
        var options = new MeshOptions();
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        MeshHarness.Static(service, 443, "10.0.0.1");
        options.ExternalServices.Add(service);
        using var harness = Mesh(new RecordingHandler(), timeout: null);
        var cluster = harness.Runtime.GetClusters().Single(c => c.Key.Host == "api.example.com");
        var endpoint = cluster.Endpoints.Single();

        service.Route.Timeout = Timeout;
        Assert.DoesNotContain(harness.Runtime.Reload(options), d => d.IsError);

        Assert.Same(cluster, harness.Runtime.GetClusters().Single(c => c.Key.Host == "api.example.com"));
        Assert.Same(endpoint, cluster.Endpoints.Single()); // connections and counters kept
        Assert.Equal(Timeout, harness.Runtime.RouteOf("api.example.com", 443).Timeout?.Duration);
    }
}
