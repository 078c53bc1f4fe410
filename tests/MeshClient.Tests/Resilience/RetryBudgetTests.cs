using System.Net;
using MeshClient.Configuration;
using MeshClient.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Resilience;

/// <summary>The per-cluster retry budget: Envoy's concurrent budget (UO) and the Linkerd/Finagle token budget (URX).</summary>
[Trait("Area", "Retries")]
public sealed class RetryBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ConcurrentBudget_PercentOfActiveRequests_AtLeastTheMinimum()
    {
        var budget = new ClusterRetryBudget(new RetryBudgetSettings(20, 3, null, 0, 10), new FakeTimeProvider());

        // 20% of 20 active requests is 4 concurrent retries.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(RetryRefusal.None, budget.TryStart(20));
        }

        Assert.Equal(RetryRefusal.Overflow, budget.TryStart(20));
        Assert.Equal(4, budget.InFlight);
        budget.End();
        Assert.Equal(RetryRefusal.Overflow, budget.TryStart(1)); // with 1 active request the minimum, 3, applies; 3 are in flight
        Assert.Equal((3, 2L), (budget.InFlight, budget.Overflows));
    }

    [Fact]
    public void ConcurrentBudget_MinimumAppliesWithFewActiveRequests()
    {
        var budget = new ClusterRetryBudget(new RetryBudgetSettings(20, 3, null, 0, 10), new FakeTimeProvider());

        Assert.Equal(RetryRefusal.None, budget.TryStart(1));
        Assert.Equal(RetryRefusal.None, budget.TryStart(1));
        Assert.Equal(RetryRefusal.None, budget.TryStart(1));
        Assert.Equal(RetryRefusal.Overflow, budget.TryStart(1));
        budget.End();
        budget.End();
        budget.End();
        Assert.Equal(0, budget.InFlight);
    }

    [Fact]
    public void TokenBudget_RatioOfRequestsPlusAReserve_OverTheWindow()
    {
        var time = new FakeTimeProvider();
        var budget = new ClusterRetryBudget(new RetryBudgetSettings(null, 0, 0.2, 1, 10), time);

        // Reserve: 1 retry/s × 10 s = 10; 50 requests deposit 0.2 each = 10 more.
        for (var i = 0; i < 50; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(20, budget.Balance(), 6);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(RetryRefusal.None, budget.TryStart(1));
            budget.End();
        }

        Assert.Equal(RetryRefusal.Exhausted, budget.TryStart(1));
        Assert.Equal((20L, 1L, 0), (budget.Retries, budget.Exhausted, budget.InFlight));

        // Deposits and withdrawals expire with the window: the reserve is back.
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(10, budget.Balance(), 6);
        Assert.Equal(RetryRefusal.None, budget.TryStart(1));
        budget.End();
    }

    [Fact]
    public async Task ConcurrentBudgetExhausted_NoRetry_FlagUO_CountersBackToZero()
    {
        using var mesh = new RetryTestMesh(
            route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 },
            service: s => s.TrafficPolicy.RetryBudget = new RetryBudgetOptions { Percent = 0, MinRetryConcurrency = 0 });
        mesh.Then(RetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamOverflow, response.GetMeshResult()!.Flags);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Equal(1, mesh.Cluster.RetryBudget.Overflows);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task ConnectionPoolMaxRetries_InFlightAcrossTheCluster_NextRetryRefusedUO_SlotReturned()
    {
        using var mesh = new RetryTestMesh(
            route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 },
            service: s => s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = new HttpConnectionPoolOptions { MaxRetries = 1 } });
        mesh.Then(RetryTestMesh.Status(503), mesh.Hang()); // request A: its retry hangs, holding the one slot
        using var cancelA = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var a = mesh.Client.GetAsync("https://api.example.com/", cancelA.Token);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, mesh.Cluster.Admission.ActiveRetries);

        mesh.Then(RetryTestMesh.Status(503)); // request B fails and may not retry
        using (var b = await mesh.Client.GetAsync("https://api.example.com/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, b.StatusCode);
            Assert.Equal(MeshResponseFlags.UpstreamOverflow, b.GetMeshResult()!.Flags);
            Assert.Equal(1, b.GetMeshResult()!.Attempts);
        }

        Assert.Equal(1, mesh.Cluster.Admission.RetryOverflows);
        Assert.Equal(0, mesh.Cluster.RetryBudget.Overflows); // refused by maxRetries, not by the budget
        await cancelA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(0, mesh.Cluster.Admission.ActiveRetries);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task TokenBudgetSpent_NoRetry_FlagURX()
    {
        using var mesh = new RetryTestMesh(
            route => route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 },
            service: s => s.TrafficPolicy.RetryBudget = new RetryBudgetOptions { TokenRatio = 0, MinRetriesPerSecond = 0 });
        mesh.Then(RetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Equal(1, mesh.Cluster.RetryBudget.Exhausted);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task BudgetSlots_ReturnAfterSuccessFailureAndTimeout()
    {
        using var mesh = new RetryTestMesh(
            route =>
            {
                route.Timeout = TimeSpan.FromSeconds(5);
                route.Retries = new HttpRetryOptions { RetryOn = "503,connect-failure", Attempts = 2 };
            },
            service: s => s.TrafficPolicy.RetryBudget = new RetryBudgetOptions { Percent = 100, MinRetryConcurrency = 10 });

        mesh.Then(RetryTestMesh.Status(503)); // then success
        using (var ok = await mesh.Client.GetAsync("https://api.example.com/", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        mesh.AssertIdle();
        var connect = RetryOnTests.Outcome("connect");
        mesh.Then(connect, connect, connect); // retries run out
        using (var failed = await mesh.Client.GetAsync("https://api.example.com/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        mesh.AssertIdle();
        mesh.Then(RetryTestMesh.Status(503), mesh.Hang()); // the route timeout ends the retry
        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, mesh.Cluster.RetryBudget.InFlight);
        mesh.Time.Advance(TimeSpan.FromSeconds(5));
        using (var timedOut = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        }

        mesh.AssertIdle();
        Assert.Equal(4, mesh.Cluster.RetryBudget.Retries);
    }
}
