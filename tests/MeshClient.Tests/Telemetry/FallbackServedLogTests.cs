using System.Net;
using MeshClient.Configuration;
using MeshClient.Runtime;
using MeshClient.Telemetry;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Telemetry;

/// <summary>Log event 161: a fallback response served instead of a failure, at most once per service every 10 s.</summary>
[Trait("Area", "Telemetry")]
public sealed class FallbackServedLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MeshHarness Mesh(FakeTimeProvider time, Func<FallbackContext, ValueTask<HttpResponseMessage?>>? respond) => new(
        services =>
        {
            services.AddFakeLogging();
            services.AddSingleton<TimeProvider>(time);
            services.AddMesh(m =>
            {
                m.DefaultTimeout = null;
                m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 };
            });
            services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 80, "10.0.0.1")).AddFallbackCache(null, respond);
        },
        new RecordingHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused"))));

    private static FakeLogRecord[] Logs(MeshHarness harness) =>
        [.. harness.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Where(r => r.Id.Id == 161)];

    [Fact]
    public async Task UserFallbackServed_Logged161_RateLimitedPerService()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var harness = Mesh(time, _ => ValueTask.FromResult<HttpResponseMessage?>(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("fallback") }));
        var client = harness.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("http://api.example.com/items", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("synthesized", Assert.Single(response.Headers.GetValues("x-mesh-fallback")));
        }

        var first = Assert.Single(Logs(harness));
        Assert.Equal(LogLevel.Warning, first.Level);

        // One warning for three fallbacks: the fallback cache's per-request line (61) is Debug.
        var all = harness.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.Single(all, r => r.Level >= LogLevel.Warning);
        Assert.DoesNotContain(all, r => r.Id.Id == 61);
        Assert.Equal(typeof(MeshRuntime).FullName, first.Category);
        Assert.Equal(
            "External service 'api.example.com': the fallback served a response instead of the failure UF (from the user fallback); 0 more since the last message. The service is failing: callers get fallback responses.",
            first.Message);

        time.Advance(FallbackLog.Interval);
        using (await client.GetAsync("http://api.example.com/items", Ct))
        {
        }

        var logs = Logs(harness);
        Assert.Equal(2, logs.Length);
        Assert.Contains("; 2 more since the last message.", logs[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoFallback_FailureGoesThrough_Nothing161()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var harness = Mesh(time, respond: null);

        using var response = await harness.CreateClient().GetAsync("http://api.example.com/items", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(Logs(harness));
    }
}
