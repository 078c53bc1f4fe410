using System.Net;
using MeshClient.Configuration;
using MeshClient.Resilience;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Resilience;

/// <summary>
/// A mesh of one service with two endpoints (10.0.0.1, 10.0.0.2, picked in order), a fake clock, no
/// back-off jitter (every back-off is 0, so retries need no time to pass) and an upstream scripted per attempt.
/// </summary>
internal sealed class RetryTestMesh : IDisposable
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public RetryTestMesh(Action<RouteOptions>? route = null, Action<MeshOptions>? mesh = null, Action<ExternalServiceOptions>? service = null, double jitter = 0)
    {
        Harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<TimeProvider>(Time);
                services.AddSingleton(new RetryJitter(() => jitter));
                services.AddMesh(m =>
                {
                    m.DefaultTimeout = null;
                    mesh?.Invoke(m);
                });
                services.AddMeshExternalService("api.example.com", s =>
                {
                    MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2");
                    s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin; // 10.0.0.1 first
                    route?.Invoke(s.Route);
                    service?.Invoke(s);
                });
            },
            new RecordingHandler(Respond));
    }

    public FakeTimeProvider Time { get; } = new();

    public MeshHarness Harness { get; }

    /// <summary>The attempt-count header of every request that reached the wire.</summary>
    public List<string?> AttemptCounts { get; } = [];

    /// <summary>The body of every request that reached the wire (null without one).</summary>
    public List<string?> Bodies { get; } = [];

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Status(int status) =>
        (_, _) => Task.FromResult(new HttpResponseMessage((HttpStatusCode)status));

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Throw(Exception exception) =>
        (_, _) => Task.FromException<HttpResponseMessage>(exception);

    /// <summary>An attempt that answers only when cancelled.</summary>
    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Hang() => async (_, ct) =>
    {
        Reached.TrySetResult();
        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        return new HttpResponseMessage(HttpStatusCode.OK);
    };

    /// <summary>Scripts the next attempts, in order; attempts past the script answer 200.</summary>
    public RetryTestMesh Then(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] attempts)
    {
        foreach (var attempt in attempts)
        {
            _script.Enqueue(attempt);
        }

        return this;
    }

    public HttpClient Client => Harness.CreateClient();

    public MeshClient.Runtime.Cluster Cluster => Harness.Runtime.GetClusters().Single(c => c.Key.Host == "api.example.com");

    /// <summary>Every counter that must return to zero once requests are over.</summary>
    public void AssertIdle()
    {
        Assert.All(Cluster.Endpoints, e => Assert.Equal(0, e.InFlight));
        Assert.Equal(0, Cluster.RetryBudget.InFlight);
        Assert.Equal(0, Cluster.ActiveRequests);
    }

    /// <summary>
    /// Waits (yielding, bounded, no sleep) until <paramref name="condition"/> holds: hedging returns the
    /// winner without waiting for the cancelled attempts to finish unwinding.
    /// </summary>
    public static async Task SettleAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1_000_000 && !condition(); i++)
        {
            await Task.Yield();
        }

        Assert.True(condition(), "the attempts did not settle");
    }

    public void Dispose() => Harness.Dispose();

    private async Task<HttpResponseMessage> Respond(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? next;
        lock (_script)
        {
            AttemptCounts.Add(request.Headers.TryGetValues("x-envoy-attempt-count", out var values) ? values.Single() : null);
            Bodies.Add(body);
            _script.TryDequeue(out next);
        }

        return await (next ?? Status(200))(request, cancellationToken);
    }
}
