using System.Net;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Resilience;

/// <summary>
/// A route with a total timeout and a plain retry policy (Istio's default shape) runs its first attempt
/// inside the timeout only, and enters Polly's retry strategy only when that attempt's outcome is one
/// the policy retries. These tests run the retry decisions on that path and check they are the ones
/// of the single pipeline (<see cref="RetryOnTests"/>, <see cref="RetryBehaviourTests"/> run without a
/// route timeout, where the retry strategy is inside the pipeline).
/// </summary>
[Trait("Area", "Retries")]
public sealed class RetryFastPathTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RetryTestMesh Mesh(HttpRetryOptions? retries, TimeSpan? perTry = null) => new(
        route =>
        {
            route.Retries = retries;
            if (retries is not null && perTry is not null)
            {
                retries.PerTryTimeout = perTry;
            }
        },
        mesh => mesh.DefaultTimeout = TimeSpan.FromMinutes(5));

    [Fact]
    public void PlainPolicy_GetsTheRetryStrategyApart_PerTryTimeoutAndHedgingKeepItInside()
    {
        using (var plain = Mesh(new HttpRetryOptions { RetryOn = "5xx", Attempts = 2 }))
        {
            var route = plain.Harness.Runtime.OnlyRoute();
            Assert.Null(route.Pipeline); // the route timeout runs in the routing handler's frame
            Assert.Equal(TimeSpan.FromMinutes(5), route.Timeout?.Duration);
            Assert.NotNull(route.Retries);
        }

        using (var perTry = Mesh(new HttpRetryOptions { RetryOn = "5xx", Attempts = 2 }, perTry: TimeSpan.FromSeconds(1)))
        {
            Assert.Null(perTry.Harness.Runtime.OnlyRoute().Retries);
            Assert.NotNull(perTry.Harness.Runtime.OnlyRoute().Pipeline); // the route timeout with the retries, in Polly
            Assert.Null(perTry.Harness.Runtime.OnlyRoute().Timeout);
        }

        using (var hedged = Mesh(new HttpRetryOptions { Attempts = 2, Hedging = new HttpHedgingOptions { Delay = TimeSpan.FromSeconds(1), MaxAttempts = 2 } }))
        {
            Assert.Null(hedged.Harness.Runtime.OnlyRoute().Retries);
            Assert.NotNull(hedged.Harness.Runtime.OnlyRoute().Pipeline);
            Assert.Null(hedged.Harness.Runtime.OnlyRoute().Timeout);
        }

        // Without a route timeout the first attempt runs without any pipeline, the retry strategy apart as well.
        using var withoutTimeout = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 2 });
        Assert.Null(withoutTimeout.Harness.Runtime.OnlyRoute().Pipeline);
        Assert.NotNull(withoutTimeout.Harness.Runtime.OnlyRoute().Retries);
    }

    [Theory]
    [MemberData(nameof(RetryOnTests.Cases), MemberType = typeof(RetryOnTests))]
    public async Task RetryOn_Condition_RetriedOrNot_AsInsideThePipeline(string? retryOn, string outcome, bool retried)
    {
        using var mesh = Mesh(retryOn is null ? null : new HttpRetryOptions { RetryOn = retryOn, Attempts = 1 });
        mesh.Then(RetryOnTests.Outcome(outcome));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        var result = response.GetMeshResult()!;
        Assert.Equal(retried ? 2 : 1, result.Attempts);
        Assert.Equal(retried ? 1 : 0, result.Retries.Count);
        if (retried)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("10.0.0.2:443", result.Endpoint);
        }

        mesh.AssertIdle();
    }

    [Fact]
    public async Task AttemptsExhausted_URX_TheFirstOutcomeDecidedByPollyNotSentTwice()
    {
        using var mesh = Mesh(new HttpRetryOptions { RetryOn = "503", Attempts = 2 });
        mesh.Then(RetryTestMesh.Status(503), RetryTestMesh.Status(503), RetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.Equal(MeshResponseFlags.UpstreamRetryLimitExceeded, result.Flags);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, mesh.Harness.Handler.Seen.Count); // the replayed first outcome is not sent again
        Assert.Equal(["1", "2", "3"], mesh.AttemptCounts);
        Assert.Equal([(1, "10.0.0.1:443", "503"), (2, "10.0.0.2:443", "503")], result.Retries.Select(r => (r.Attempt, r.Endpoint, r.Reason)));
        mesh.AssertIdle();
    }

    [Fact]
    public async Task ConnectFailures_UnderIstioDefault_RetriedTwiceThenUFURX()
    {
        using var mesh = Mesh(null);
        var failure = RetryOnTests.Outcome("connect");
        mesh.Then(failure, failure, failure);

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Equal(3, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("POST", false)]
    public async Task SafeByDefault_A503IsRetriedOnlyForIdempotentMethods(string method, bool retried)
    {
        using var mesh = Mesh(new HttpRetryOptions { RetryOn = "503", Attempts = 1 });
        mesh.Then(RetryTestMesh.Status(503));
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://api.example.com/") { Content = method == "GET" ? null : new StringContent("x") };

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(retried ? 2 : 1, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task RouteTimeout_DuringTheBackOff_Ends_504UT_AndReleasesTheBudget()
    {
        using var mesh = new RetryTestMesh(
            route =>
            {
                route.Timeout = TimeSpan.FromMilliseconds(10);
                route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 3 };
            },
            jitter: 1); // the back-off waits its full interval (25 ms or more): the route timeout falls inside it
        mesh.Then(RetryTestMesh.Status(503));
        Assert.NotNull(mesh.Harness.Runtime.OnlyRoute().Retries);

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await RetryTestMesh.SettleAsync(() => mesh.Harness.Handler.Seen.Count == 1 && mesh.Cluster.RetryBudget.InFlight == 1);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(10));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags & MeshResponseFlags.UpstreamRequestTimeout);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task CallerCancellation_DuringTheFirstAttempt_IsNeverRetried()
    {
        using var mesh = Mesh(new HttpRetryOptions { RetryOn = "5xx,reset", Attempts = 3 });
        mesh.Then(mesh.Hang());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = mesh.Client.GetAsync("https://api.example.com/", cts.Token);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Single(mesh.Harness.Handler.Seen);
        mesh.AssertIdle();
    }
}
