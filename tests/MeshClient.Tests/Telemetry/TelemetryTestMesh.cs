using System.Diagnostics.Metrics;
using System.Net;
using MeshClient.Configuration;
using MeshClient.Resilience;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Telemetry;

/// <summary>
/// A mesh of one service (api.example.com:443, endpoints 10.0.0.1 and 10.0.0.2 picked in order) with an
/// <see cref="IMeterFactory"/> of its own (so collectors see this mesh only), a fake clock, no back-off
/// jitter and an upstream scripted per attempt that records the headers each attempt carried.
/// </summary>
internal sealed class TelemetryTestMesh : IDisposable
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public TelemetryTestMesh(Action<MeshOptions>? mesh = null, Action<ExternalServiceOptions>? service = null, params string[] endpoints)
    {
        Harness = new MeshHarness(
            services =>
            {
                services.AddMetrics();
                services.AddSingleton<TimeProvider>(Time);
                services.AddSingleton(new RetryJitter(() => 0));
                services.AddMesh(m =>
                {
                    m.DefaultTimeout = null;
                    m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 };
                    m.Telemetry.SourceWorkload = "checkout";
                    mesh?.Invoke(m);
                });
                services.AddMeshExternalService("api.example.com", s =>
                {
                    MeshHarness.Static(s, 443, endpoints.Length == 0 ? ["10.0.0.1", "10.0.0.2"] : endpoints);
                    s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
                    service?.Invoke(s);
                });
            },
            new RecordingHandler(Respond));
    }

    public FakeTimeProvider Time { get; } = new();

    public MeshHarness Harness { get; }

    public IMeterFactory Meters => Harness.Services.GetRequiredService<IMeterFactory>();

    /// <summary>The headers of every attempt that reached the wire, as they were when it was sent.</summary>
    public List<Dictionary<string, string>> Attempts { get; } = [];

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HttpClient Client => Harness.CreateClient();

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Status(int status) =>
        (_, _) => Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(new byte[12]) });

    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(Meters, "MeshClient", instrument);

    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Hang() => async (_, ct) =>
    {
        Reached.TrySetResult();
        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        return new HttpResponseMessage(HttpStatusCode.OK);
    };

    public TelemetryTestMesh Then(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] attempts)
    {
        foreach (var attempt in attempts)
        {
            _script.Enqueue(attempt);
        }

        return this;
    }

    public void Dispose() => Harness.Dispose();

    private Task<HttpResponseMessage> Respond(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? next;
        lock (_script)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in request.Headers.NonValidated)
            {
                headers[header.Key] = header.Value.ToString();
            }

            Attempts.Add(headers);
            _script.TryDequeue(out next);
        }

        return (next ?? Status(200))(request, cancellationToken);
    }
}
