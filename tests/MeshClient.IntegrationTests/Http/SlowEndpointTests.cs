using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

/// <summary>
/// ALGORITHMS.md §5 on loopback: four Kestrel backends, one slow (200 ms instead of 2 ms), eight
/// concurrent callers, measured after a warm-up of 40 requests (connections opened, code jitted:
/// on a loaded machine those first answers are slow everywhere, which briefly makes the slow backend
/// look no worse than the others). Only robust inequalities are asserted; the figures are written
/// to the test output.
/// </summary>
[Trait("Area", "LoadBalancing")]
public sealed class SlowEndpointTests
{
    private const int Requests = 800;
    private const int Callers = 8;
    private const int Warmup = 40;
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(200);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneSlowBackend_LeastRequestAndPeakEwmaSendItLessThanRoundRobin()
    {
        var roundRobin = await RunAsync(LoadBalancerAlgorithm.RoundRobin);
        var leastRequest = await RunAsync(LoadBalancerAlgorithm.LeastRequest);
        var peakEwma = await RunAsync(LoadBalancerAlgorithm.PeakEwma);

        foreach (var (name, result) in new[] { ("ROUND_ROBIN", roundRobin), ("LEAST_REQUEST", leastRequest), ("PEAK_EWMA", peakEwma) })
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{name}: slow backend {result.SlowShare:P1} of {Requests}, caller p50 {result.P50.TotalMilliseconds:F0} ms, p99 {result.P99.TotalMilliseconds:F0} ms");
        }

        Assert.InRange(roundRobin.SlowShare, 0.24, 0.26);
        Assert.True(leastRequest.SlowShare < roundRobin.SlowShare * 0.75, $"LEAST_REQUEST sent {leastRequest.SlowShare:P1} to the slow backend (ROUND_ROBIN {roundRobin.SlowShare:P1})");
        Assert.True(peakEwma.SlowShare < roundRobin.SlowShare * 0.25, $"PEAK_EWMA sent {peakEwma.SlowShare:P1} to the slow backend (ROUND_ROBIN {roundRobin.SlowShare:P1})");
        // p99 of 800 is the 8th slowest: once warmed up, peak EWMA must send fewer requests than that
        // to the slow backend (it probes it again only when its estimate has decayed, ~46 s later).
        Assert.True(peakEwma.P99 < Slow * 2 / 3, $"PEAK_EWMA p99 {peakEwma.P99.TotalMilliseconds:F0} ms ({peakEwma.SlowShare:P1} to the slow backend)");
    }

    private static async Task<(double SlowShare, TimeSpan P50, TimeSpan P99)> RunAsync(LoadBalancerAlgorithm algorithm)
    {
        await using var slow = await Upstream.StartAsync("slow", handler: context => Answer(context, Slow));
        await using var b = await Upstream.StartAsync("b", handler: context => Answer(context, TimeSpan.FromMilliseconds(2)));
        await using var c = await Upstream.StartAsync("c", handler: context => Answer(context, TimeSpan.FromMilliseconds(2)));
        await using var d = await Upstream.StartAsync("d", handler: context => Answer(context, TimeSpan.FromMilliseconds(2)));
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (slow.Port, 1), (b.Port, 1), (c.Port, 1), (d.Port, 1));
            s.TrafficPolicy.LoadBalancer.Simple = algorithm;
        }));
        var client = mesh.CreateClient("api.example.com");
        await SendAsync(client, new TimeSpan[Warmup]);
        var slowBefore = slow.Requests;
        var latencies = new TimeSpan[Requests];
        await SendAsync(client, latencies);
        Array.Sort(latencies);
        return ((slow.Requests - slowBefore) / (double)Requests, latencies[Requests / 2], latencies[(Requests * 99 / 100) - 1]);
    }

    /// <summary>Sends one request per slot of <paramref name="latencies"/> from <see cref="Callers"/> concurrent callers and records each latency.</summary>
    private static async Task SendAsync(HttpClient client, TimeSpan[] latencies)
    {
        var next = -1;
        var callers = new Task[Callers];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = Task.Run(
                async () =>
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < latencies.Length)
                    {
                        var start = TimeProvider.System.GetTimestamp();
                        using var response = await client.GetAsync("/", Ct);
                        response.EnsureSuccessStatusCode();
                        latencies[index] = TimeProvider.System.GetElapsedTime(start);
                    }
                },
                Ct);
        }

        await Task.WhenAll(callers);
    }

    private static async Task Answer(HttpContext context, TimeSpan delay)
    {
        // The backend's own latency: the scenario, not a wait of the test.
        await Task.Delay(delay, context.RequestAborted);
        await context.Response.WriteAsync("ok", context.RequestAborted);
    }
}
