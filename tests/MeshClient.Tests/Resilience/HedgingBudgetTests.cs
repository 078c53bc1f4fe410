using System.Net;
using MeshClient.Configuration;

namespace MeshClient.Tests.Resilience;

/// <summary>
/// A hedged attempt counts as a retry (Envoy's hedge on per-try timeout): it takes a retry budget slot
/// and a <c>connectionPool.http.maxRetries</c> slot, is not sent when either is full (flag <c>UO</c>,
/// or <c>URX</c> for a spent token budget, as Envoy's <c>onSoftPerTryTimeout</c> sets them), and gives
/// its slots back when it ends.
/// </summary>
[Trait("Area", "Retries")]
public sealed class HedgingBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Hedging(RouteOptions route, int maxAttempts) => route.Retries = new HttpRetryOptions
    {
        RetryOn = "5xx",
        Hedging = new HttpHedgingOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = maxAttempts },
    };

    /// <summary>An attempt that signals it was reached, then answers <paramref name="status"/> once <paramref name="release"/> completes (or is cancelled).</summary>
    private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Held(TaskCompletionSource reached, TaskCompletionSource release, HttpStatusCode status) => async (_, ct) =>
    {
        reached.TrySetResult();
        await release.Task.WaitAsync(ct);
        return new HttpResponseMessage(status);
    };

    [Fact]
    public async Task Hedge_HoldsAMaxRetriesSlot_TheNextHedgeIsRefusedUO_TheSlotReturnsWhenItEnds()
    {
        using var mesh = new RetryTestMesh(
            route => Hedging(route, maxAttempts: 3),
            service: s => s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = new HttpConnectionPoolOptions { MaxRetries = 1 } });
        var hedgeReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseHedge = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mesh.Then(mesh.Hang(), Held(hedgeReached, releaseHedge, HttpStatusCode.Accepted));

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(100));
        await hedgeReached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, mesh.Cluster.Admission.ActiveRetries); // the first hedge holds the one slot
        Assert.Equal(1, mesh.Cluster.RetryBudget.InFlight);

        mesh.Time.Advance(TimeSpan.FromMilliseconds(100)); // the second hedge is due: refused
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.Admission.RetryOverflows == 1);
        Assert.Equal(1, mesh.Cluster.Admission.RetryOverflows);
        Assert.Equal(0, mesh.Cluster.RetryBudget.Overflows); // refused by maxRetries, not by the budget
        Assert.Equal(1, mesh.Cluster.RetryBudget.InFlight); // the refused hedge's budget slot went back at once

        releaseHedge.TrySetResult();
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.Equal(2, result.Attempts); // the refused hedge was never sent
        Assert.Equal(MeshResponseFlags.UpstreamOverflow, result.Flags); // as Envoy's stream info records it
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.Endpoints.All(e => e.InFlight == 0));
        Assert.Equal(0, mesh.Cluster.Admission.ActiveRetries);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task HedgeAbandonedWhenThePrimaryWins_ItsSlotIsReturned()
    {
        using var mesh = new RetryTestMesh(
            route => Hedging(route, maxAttempts: 2),
            service: s => s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = new HttpConnectionPoolOptions { MaxRetries = 1 } });
        var releasePrimary = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hedgeReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mesh.Then(Held(mesh.Reached, releasePrimary, HttpStatusCode.OK), Held(hedgeReached, new TaskCompletionSource(), HttpStatusCode.OK));

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(100));
        await hedgeReached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, mesh.Cluster.Admission.ActiveRetries);

        releasePrimary.TrySetResult();
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("10.0.0.1:443", response.GetMeshResult()!.Endpoint);
        Assert.Equal(MeshResponseFlags.None, response.GetMeshResult()!.Flags);
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.Admission.ActiveRetries == 0 && mesh.Cluster.RetryBudget.InFlight == 0);
        Assert.Equal(0, mesh.Cluster.Admission.ActiveRetries);
        Assert.Equal(0, mesh.Cluster.Admission.RetryOverflows);
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.Endpoints.All(e => e.InFlight == 0));
        mesh.AssertIdle();
    }

    [Fact]
    public async Task UnacceptableAnswerThenHedge_TheHedgesSlotIsReturnedAfterItsAnswer()
    {
        using var mesh = new RetryTestMesh(
            route => Hedging(route, maxAttempts: 2),
            service: s => s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = new HttpConnectionPoolOptions { MaxRetries = 1 } });

        // Twice in a row: were the first request's hedge slot kept, the second's hedge would be refused.
        for (var i = 0; i < 2; i++)
        {
            mesh.Then(RetryTestMesh.Status(503));
            using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, response.GetMeshResult()!.Attempts);
            Assert.Equal(0, mesh.Cluster.Admission.ActiveRetries);
        }

        Assert.Equal(0, mesh.Cluster.Admission.RetryOverflows);
        Assert.Equal(2, mesh.Cluster.RetryBudget.Retries);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task ConcurrentRetryBudgetFull_HedgeNotSent_FlagUO()
    {
        using var mesh = new RetryTestMesh(
            route => Hedging(route, maxAttempts: 2),
            service: s => s.TrafficPolicy.RetryBudget = new RetryBudgetOptions { Percent = 0, MinRetryConcurrency = 0 });
        var releasePrimary = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mesh.Then(Held(mesh.Reached, releasePrimary, HttpStatusCode.OK));

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(100));
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.RetryBudget.Overflows == 1);
        releasePrimary.TrySetResult();
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Equal(MeshResponseFlags.UpstreamOverflow, response.GetMeshResult()!.Flags);
        Assert.Equal(1, mesh.Cluster.RetryBudget.Overflows);
        Assert.Equal(0, mesh.Cluster.Admission.RetryOverflows);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task TokenBudgetSpent_HedgeNotSent_FlagURX()
    {
        using var mesh = new RetryTestMesh(
            route => Hedging(route, maxAttempts: 2),
            service: s => s.TrafficPolicy.RetryBudget = new RetryBudgetOptions { TokenRatio = 0, MinRetriesPerSecond = 0 });
        mesh.Then(RetryTestMesh.Status(503)); // unacceptable: the hedge is due at once, and refused

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Equal(MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Equal(1, mesh.Cluster.RetryBudget.Exhausted);
        mesh.AssertIdle();
    }
}
