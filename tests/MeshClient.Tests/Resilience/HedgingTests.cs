using System.Net;
using MeshClient.Configuration;

namespace MeshClient.Tests.Resilience;

/// <summary>Hedged requests on Polly's hedging strategy: the first acceptable answer wins, the others are cancelled.</summary>
[Trait("Area", "Retries")]
public sealed class HedgingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RetryTestMesh Mesh() => new(route => route.Retries = new HttpRetryOptions
    {
        RetryOn = "5xx",
        Hedging = new HttpHedgingOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = 2 },
    });

    [Fact]
    public async Task SlowFirstAttempt_TheHedgeToAnotherEndpointWins_TheSlowOneIsCancelled()
    {
        using var mesh = Mesh();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mesh.Then(
            async (_, ct) =>
            {
                mesh.Reached.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.TrySetResult();
                    throw;
                }

                return new HttpResponseMessage(HttpStatusCode.OK);
            },
            (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted)));

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(100));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.Equal("10.0.0.2:443", result.Endpoint);
        Assert.Equal(2, result.Attempts);
        Assert.Equal("hedge", Assert.Single(result.Retries).Reason);
        Assert.Equal(["1", "2"], mesh.AttemptCounts);

        // The abandoned attempt is not the endpoint's failure; every counter is back to zero.
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.Endpoints.All(e => e.InFlight == 0));
        Assert.Equal(0, mesh.Cluster.Endpoints[0].Failures);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task FastFirstAttempt_NoHedgeIsSent()
    {
        using var mesh = Mesh();

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Same(response.RequestMessage, response.RequestMessage); // the caller's own request
    }

    [Fact]
    public async Task NonIdempotentRequest_IsNotHedged()
    {
        using var mesh = Mesh();
        mesh.Then(async (_, ct) =>
        {
            mesh.Reached.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(1), mesh.Time, ct);
            return new HttpResponseMessage(HttpStatusCode.Created);
        });

        var call = mesh.Client.PostAsync("https://api.example.com/", new StringContent("order"), Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(500));
        mesh.Time.Advance(TimeSpan.FromMilliseconds(500));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task UnacceptableFirstAnswer_SendsTheHedgeAtOnce()
    {
        using var mesh = Mesh();
        mesh.Then(RetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, response.GetMeshResult()!.Attempts);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task RouteTimeoutDuringHedging_504UT_AndBothAttemptsCountAsTimedOut()
    {
        using var mesh = new RetryTestMesh(route =>
        {
            route.Timeout = TimeSpan.FromSeconds(1);
            route.Retries = new HttpRetryOptions { RetryOn = "5xx", Hedging = new HttpHedgingOptions { Delay = TimeSpan.FromMilliseconds(100), MaxAttempts = 2 } };
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
        mesh.Time.Advance(TimeSpan.FromMilliseconds(100));
        await second.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromMilliseconds(900));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags);
        await RetryTestMesh.SettleAsync(() => mesh.Cluster.Endpoints.All(e => e.InFlight == 0));
        Assert.All(mesh.Cluster.Endpoints, e => Assert.Equal(1, e.Failures)); // timed out, not abandoned
        mesh.AssertIdle();
    }
}
