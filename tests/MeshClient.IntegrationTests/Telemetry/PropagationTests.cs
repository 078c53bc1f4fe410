using System.Collections.Concurrent;
using System.Diagnostics;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Telemetry;

/// <summary>What a real Kestrel server receives: the trace headers the mesh writes per attempt.</summary>
[Trait("Area", "Telemetry")]
public sealed class PropagationTests
{
    private const string TestSourceName = "MeshClient.IntegrationTests.Telemetry";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task W3C_WithParentActivity_ServerSeesTheCallersTrace_AndOnlyMeshSpans()
    {
        await using var upstream = await RecordingUpstream.StartAsync(failFirst: 0);
        using var spans = new SpanRecorder();
        using var mesh = Mesh(upstream);
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.CreateClient().GetAsync("http://traced.example.com/", Ct);

        var headers = Assert.Single(upstream.Received);
        var attempt = Assert.Single(spans.Of(parent.TraceId, "MeshClient"), s => s.Kind == ActivityKind.Internal);
        Assert.Equal($"00-{parent.TraceId}-{attempt.SpanId}-01", headers["traceparent"]);

        // The endpoint pools carry no System.Net.Http DiagnosticsHandler: no second client span.
        Assert.Empty(spans.Of(parent.TraceId, "System.Net.Http"));
        Assert.Single(spans.Of(parent.TraceId, "MeshClient"), s => s.Kind == ActivityKind.Client);
    }

    [Fact]
    public async Task B3MultiAndSingle_ReachTheServer()
    {
        await using var upstream = await RecordingUpstream.StartAsync(failFirst: 0);
        using var spans = new SpanRecorder();
        using var mesh = Mesh(upstream, m => m.Telemetry.Propagation = TracePropagation.B3Multi | TracePropagation.B3Single);
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.CreateClient().GetAsync("http://traced.example.com/", Ct);

        var headers = Assert.Single(upstream.Received);
        var attempt = Assert.Single(spans.Of(parent.TraceId, "MeshClient"), s => s.Kind == ActivityKind.Internal);
        Assert.False(headers.ContainsKey("traceparent"));
        Assert.Equal(parent.TraceId.ToHexString(), headers["x-b3-traceid"]);
        Assert.Equal(attempt.SpanId.ToHexString(), headers["x-b3-spanid"]);
        Assert.Equal("1", headers["x-b3-sampled"]);
        Assert.Equal($"{parent.TraceId}-{attempt.SpanId}-1", headers["b3"]);
    }

    [Fact]
    public async Task Retries_RequestIdStable_AttemptCountGrows_NewSpanPerAttempt()
    {
        await using var upstream = await RecordingUpstream.StartAsync(failFirst: 2);
        using var spans = new SpanRecorder();
        using var mesh = Mesh(upstream, service: s => s.Route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 3 });
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.CreateClient().GetAsync("http://traced.example.com/", Ct);

        Assert.Equal(200, (int)response.StatusCode);
        var received = upstream.Received.ToArray();
        Assert.Equal(3, received.Length);
        Assert.True(Guid.TryParse(received[0]["x-request-id"], out _));
        Assert.All(received, h => Assert.Equal(received[0]["x-request-id"], h["x-request-id"]));
        Assert.Equal(["1", "2", "3"], received.Select(h => h["x-envoy-attempt-count"]));
        Assert.Equal(3, received.Select(h => h["traceparent"]).Distinct().Count());
        Assert.All(received, h => Assert.StartsWith($"00-{parent.TraceId}-", h["traceparent"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task PropagationOffForTheService_NoTraceHeaders_NoRequestId()
    {
        await using var upstream = await RecordingUpstream.StartAsync(failFirst: 0);
        using var spans = new SpanRecorder();
        using var mesh = Mesh(upstream, service: s => s.TracePropagation = TracePropagation.None);
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.CreateClient().GetAsync("http://traced.example.com/", Ct);

        var headers = Assert.Single(upstream.Received);
        Assert.False(headers.ContainsKey("traceparent"));
        Assert.False(headers.ContainsKey("x-request-id"));
        Assert.Equal("1", headers["x-envoy-attempt-count"]);
    }

    private static MeshHost Mesh(RecordingUpstream upstream, Action<MeshOptions>? mesh = null, Action<ExternalServiceOptions>? service = null) =>
        new(services =>
        {
            services.AddMesh(m =>
            {
                m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 };
                mesh?.Invoke(m);
            });
            services.AddMeshExternalService("traced.example.com", s =>
            {
                MeshHost.Static(s, 80, "http", (upstream.Server.Port, 1));
                service?.Invoke(s);
            });
        });

    /// <summary>A Kestrel upstream that records the headers of every request and answers 503 to the first ones.</summary>
    private sealed class RecordingUpstream : IAsyncDisposable
    {
        private static readonly string[] Names = ["traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "b3", "x-request-id", "x-envoy-attempt-count"];

        private RecordingUpstream(Upstream server) => Server = server;

        public Upstream Server { get; private set; } = null!;

        public ConcurrentQueue<Dictionary<string, string>> Received { get; } = new();

        public static async Task<RecordingUpstream> StartAsync(int failFirst)
        {
            var recording = new RecordingUpstream(null!);
            var seen = 0;
            recording.Server = await Upstream.StartAsync("traced", handler: async context =>
            {
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var name in Names)
                {
                    if (context.Request.Headers.TryGetValue(name, out var value))
                    {
                        headers[name] = value.ToString();
                    }
                }

                recording.Received.Enqueue(headers);
                context.Response.StatusCode = Interlocked.Increment(ref seen) <= failFirst ? 503 : 200;
                await context.Response.WriteAsync("traced", context.RequestAborted);
            });
            return recording;
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    /// <summary>Records the spans of MeshClient, System.Net.Http and the test (filter by trace: other tests run alongside).</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = static s => s.Name is "MeshClient" or "System.Net.Http" or TestSourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> Of(ActivityTraceId trace, string source) =>
            _stopped.Where(a => a.TraceId == trace && a.Source.Name == source).ToList();

        public void Dispose() => _listener.Dispose();
    }
}
