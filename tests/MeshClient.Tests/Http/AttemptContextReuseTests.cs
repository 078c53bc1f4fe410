using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Http;

/// <summary>
/// The per-hop attempt context is kept for reuse once the hop's response is built: it must leave the
/// request, come back reset, and never be shared by two requests in flight.
/// </summary>
[Trait("Area", "Reliability")]
public sealed class AttemptContextReuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void EndHop_TakesTheContextOffTheRequest_AndResetsIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/");
        var attempt = AttemptContext.ForHop(request);
        Assert.True(request.Options.TryGetValue(AttemptContext.Key, out var onRequest));
        Assert.Same(attempt, onRequest);
        attempt.Request = request;
        attempt.MayResend = false;
        attempt.IgnorePreviousHosts = false;
        attempt.IsHedged = true;
        attempt.Redirects = 3;
        attempt.FailureMode = MeshFailureMode.Throw;
        attempt.CapsHttp3 = true;

        AttemptContext.EndHop(request, attempt);

        Assert.False(request.Options.TryGetValue(AttemptContext.Key, out _));
        Assert.Null(attempt.Request);
        Assert.True(attempt.MayResend);
        Assert.True(attempt.IgnorePreviousHosts);
        Assert.False(attempt.IsHedged);
        Assert.Equal(0, attempt.Redirects);
        Assert.Equal(default, attempt.FailureMode);
        Assert.False(attempt.CapsHttp3);
    }

    [Fact]
    public void EndHop_OfAHedgedHop_LeavesTheContextAsItIs_ForTheHedgesStillRunning()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        var attempt = AttemptContext.ForHop(request);
        attempt.Request = request;
        attempt.Redirects = 2;

        AttemptContext.EndHop(request, attempt, mayReuse: false);

        Assert.False(request.Options.TryGetValue(AttemptContext.Key, out _));
        Assert.Same(request, attempt.Request); // not reset: it is not kept, so nothing else can get it
        Assert.Equal(2, attempt.Redirects);
    }

    [Fact]
    public void CapHttp3_IsUndoneByRestoreVersion()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/")
        {
            Version = HttpVersion.Version30,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var attempt = AttemptContext.ForHop(request);
        attempt.CapsHttp3 = true;

        attempt.CapHttp3(request);
        Assert.Equal(HttpVersion.Version20, request.Version);
        attempt.RestoreVersion(request);

        Assert.Equal(HttpVersion.Version30, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, request.VersionPolicy);
        AttemptContext.EndHop(request, attempt);
    }

    [Fact]
    public async Task ManyConcurrentRequests_WithRetriesAndATimeout_EachGetsItsOwnResult()
    {
        // Every third request's first attempt answers 503 and is retried on the next endpoint; answers
        // come back on other threads, so contexts are returned and taken again while others are in flight.
        // The system clock on purpose: that is where the route timeout's sources are kept for reuse too
        // (nothing here waits for it: the back-off is the shortest valid one).
        var firstAttempts = 0;
        var handler = new RecordingHandler(async (request, ct) =>
        {
            await Task.Yield();
            var id = int.Parse(request.RequestUri!.Query.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
            var attempt = request.Headers.GetValues("x-envoy-attempt-count").Single();
            if (id % 3 == 0 && attempt == "1")
            {
                Interlocked.Increment(ref firstAttempts);
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        });
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2");
                s.Route.Timeout = TimeSpan.FromMinutes(5);
                s.Route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 2, Backoff = TimeSpan.FromMilliseconds(2) };
            }),
            handler);
        var client = harness.CreateClient();

        var calls = new Task[300];
        for (var i = 0; i < calls.Length; i++)
        {
            var id = i;
            calls[i] = Task.Run(
                async () =>
                {
                    using var response = await client.GetAsync(new Uri($"https://api.example.com/x?id={id}"), Ct);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync(Ct));
                    var result = response.GetMeshResult()!;
                    Assert.Equal(id % 3 == 0 ? 2 : 1, result.Attempts);
                    Assert.Equal(id % 3 == 0 ? 1 : 0, result.Retries.Count);
                    Assert.NotNull(result.Endpoint);
                    Assert.False(response.RequestMessage!.Options.TryGetValue(AttemptContext.Key, out _));
                },
                Ct);
        }

        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(100, firstAttempts);
    }
}
