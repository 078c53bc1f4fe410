using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class FaultAndMirrorTests
{
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MeshHarness Mesh(Action<HttpRouteOptions> route, RecordingHandler? handler = null, Action<MeshOptions>? mesh = null) =>
        new(services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddMesh(m => mesh?.Invoke(m));
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 443, "10.0.0.1");
                var options = new HttpRouteOptions();
                options.Route.Add(new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = "api.example.com" } });
                route(options);
                s.Http.Add(options);
            });
            services.AddMeshExternalService("shadow.example.com", s => MeshHarness.Static(s, 443, "10.0.0.2"));
        }, handler);

    [Fact]
    public async Task FaultAbort_AllRequests_AnsweredInProcessWithFI_NoUpstreamAttempt()
    {
        using var harness = Mesh(r => r.Fault = new HttpFaultInjectionOptions { Abort = new HttpFaultAbortOptions { HttpStatus = 418, Percentage = 100 } });

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/x", Ct);

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal(MeshResponses.FaultAbortBody, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(MeshResponseFlags.FaultInjected, response.GetMeshResult()!.Flags);
        Assert.Equal(0, response.GetMeshResult()!.Attempts);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task FaultAbort_GrpcStatus_Http200WithGrpcStatusHeader()
    {
        using var harness = Mesh(r => r.Fault = new HttpFaultInjectionOptions { Abort = new HttpFaultAbortOptions { GrpcStatus = "UNAVAILABLE", Percentage = 100 } });

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/x", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("14", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("application/grpc", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task FaultWithoutPercentage_NeverApplies_AsInIstio()
    {
        using var harness = Mesh(r => r.Fault = new HttpFaultInjectionOptions { Abort = new HttpFaultAbortOptions { HttpStatus = 503 } });

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/x", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(harness.Handler.Seen);
        Assert.Contains(harness.Runtime.Reload(harness.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MeshOptions>>().CurrentValue), d => !d.IsError && d.Message.Contains("fault.abort.percentage is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FaultDelay_WaitsTheFixedDelayOnTheTimeProvider_ThenSendsWithDI()
    {
        using var harness = Mesh(r => r.Fault = new HttpFaultInjectionOptions { Delay = new HttpFaultDelayOptions { FixedDelay = TimeSpan.FromSeconds(5), Percentage = 100 } });

        var call = harness.CreateClient().GetAsync("https://api.example.com/x", Ct);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(call.IsCompleted);
        Assert.Empty(harness.Handler.Seen);
        _time.Advance(TimeSpan.FromSeconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MeshResponseFlags.DelayInjected, response.GetMeshResult()!.Flags);
        Assert.Single(harness.Handler.Seen);
    }

    [Fact]
    public async Task FaultAbort_HalfTheRequests_SplitsByTheDraw()
    {
        using var harness = Mesh(r => r.Fault = new HttpFaultInjectionOptions { Abort = new HttpFaultAbortOptions { HttpStatus = 503, Percentage = 50 } });
        var client = harness.CreateClient();

        var aborted = 0;
        for (var i = 0; i < 400; i++)
        {
            using var response = await client.GetAsync("https://api.example.com/x", Ct);
            aborted += response.StatusCode == HttpStatusCode.ServiceUnavailable ? 1 : 0;
        }

        Assert.InRange(aborted, 140, 260); // binomial(400, 0.5): far outside 6 sigma otherwise
        Assert.Equal(400 - aborted, harness.Handler.Seen.Count);
    }

    [Fact]
    public async Task Mirror_SendsACopyToTheMirrorCluster_WithoutCredentials_AndTheCallerGetsThePrimaryAnswer()
    {
        var mirrored = new TaskCompletionSource<HttpRequestMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler((request, _) =>
        {
            var target = request.Options.TryGetValue(MeshHarness.TargetKey, out var t) ? t : null;
            if (target?.StartsWith("10.0.0.2", StringComparison.Ordinal) == true)
            {
                mirrored.TrySetResult(request);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        using var harness = Mesh(r => r.Mirror = new DestinationOptions { Host = "shadow.example.com" }, handler);

        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/orders") { Content = new StringContent("{\"id\":1}") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret");
        request.Headers.TryAddWithoutValidation("x-trace", "abc");
        using var response = await harness.CreateClient().SendAsync(request, Ct);
        var copy = await mirrored.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the mirror's 500 changes nothing
        Assert.Equal(HttpMethod.Post, copy.Method);
        Assert.Equal("abc", copy.Headers.GetValues("x-trace").Single());
        Assert.False(copy.Headers.Contains("Authorization")); // another host: no credentials
        await WaitUntil(() => harness.Runtime.Mirrors.Sent == 1 && harness.Runtime.Mirrors.InFlight == 0);
    }

    [Fact]
    public async Task Mirror_Full_DropsAndCounts_CallerUnaffected()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler(async (request, ct) =>
        {
            if (request.Options.TryGetValue(MeshHarness.TargetKey, out var t) && t.StartsWith("10.0.0.2", StringComparison.Ordinal))
            {
                await release.Task.WaitAsync(ct); // a slow mirror
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var harness = Mesh(r => r.Mirror = new DestinationOptions { Host = "shadow.example.com" }, handler, m => m.MaxConcurrentMirrors = 1);
        var client = harness.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("https://api.example.com/x", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // never waits for the slow mirror
        }

        Assert.Equal(2, harness.Runtime.Mirrors.Dropped);
        release.SetResult();
        await WaitUntil(() => harness.Runtime.Mirrors.InFlight == 0 && harness.Runtime.Mirrors.Sent == 1);
    }

    /// <summary>Waits for the mirror's thread-pool work (real concurrency, no timer involved), bounded.</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met within 10 s");
            await Task.Yield();
        }
    }
}
