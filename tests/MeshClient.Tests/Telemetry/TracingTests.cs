using System.Diagnostics;
using System.Net;
using MeshClient.Configuration;
using MeshClient.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Telemetry;

/// <summary>Spans and propagation over the in-memory wire; spans are told apart from other tests' by the test's own trace.</summary>
[Trait("Area", "Telemetry")]
public sealed class TracingTests
{
    private const string TestSourceName = "MeshClient.Tests.Telemetry";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_OneClientSpan_OneChildSpanPerAttempt()
    {
        using var spans = new SpanRecorder();
        using var mesh = new TelemetryTestMesh(service: s => s.Route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 });
        mesh.Then(TelemetryTestMesh.Status(503));
        using var parent = TestSource.StartActivity("caller")!;

        using (var response = await mesh.Client.GetAsync("https://api.example.com/", Ct))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var mine = spans.Of(parent.TraceId);
        var request = Assert.Single(mine, s => s.Kind == ActivityKind.Client);
        Assert.Equal("api.example.com", request.DisplayName);
        Assert.Equal(parent.SpanId, request.ParentSpanId);
        Assert.Equal(2, request.GetTagItem("meshclient.attempts"));
        Assert.Equal("-", request.GetTagItem("meshclient.response_flags"));
        var attempts = mine.Where(s => s.Kind == ActivityKind.Internal).OrderBy(s => (int)s.GetTagItem("meshclient.attempt")!).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(request.SpanId, a.ParentSpanId));
        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443"], attempts.Select(a => (string)a.GetTagItem("meshclient.endpoint")!));
        Assert.Equal(503, attempts[0].GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("503", attempts[1].GetTagItem("meshclient.retry_reason"));

        // Each attempt carried its own span as the W3C parent, in the caller's trace.
        Assert.Equal($"00-{parent.TraceId}-{attempts[0].SpanId}-01", mesh.Attempts[0]["traceparent"]);
        Assert.Equal($"00-{parent.TraceId}-{attempts[1].SpanId}-01", mesh.Attempts[1]["traceparent"]);
    }

    [Fact]
    public async Task NoMeshListener_CallerActivityIsContinued()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = static s => s.Name == TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var mesh = new TelemetryTestMesh();
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        // Unless another test listens to MeshClient at the same time, the header names the caller's span.
        Assert.StartsWith($"00-{parent.TraceId}-", mesh.Attempts[0]["traceparent"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task B3MultiAndSingle_WithW3C_AllWritten_FromTheAttemptSpan()
    {
        using var spans = new SpanRecorder();
        using var mesh = new TelemetryTestMesh(mesh: m => m.Telemetry.Propagation = TracePropagation.W3C | TracePropagation.B3Multi | TracePropagation.B3Single);
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        var attempt = Assert.Single(spans.Of(parent.TraceId), s => s.Kind == ActivityKind.Internal);
        var headers = mesh.Attempts[0];
        Assert.Equal(parent.TraceId.ToHexString(), headers["x-b3-traceid"]);
        Assert.Equal(attempt.SpanId.ToHexString(), headers["x-b3-spanid"]);
        Assert.Equal(attempt.ParentSpanId.ToHexString(), headers["x-b3-parentspanid"]);
        Assert.Equal("1", headers["x-b3-sampled"]);
        Assert.Equal($"{parent.TraceId}-{attempt.SpanId}-1", headers["b3"]);
        Assert.Equal($"00-{parent.TraceId}-{attempt.SpanId}-01", headers["traceparent"]);
    }

    [Fact]
    public async Task ServicePropagationNone_NoTraceHeaders_NoRequestId()
    {
        using var spans = new SpanRecorder();
        using var mesh = new TelemetryTestMesh(service: s => s.TracePropagation = TracePropagation.None);
        using var parent = TestSource.StartActivity("caller")!;

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        var headers = mesh.Attempts[0];
        Assert.False(headers.ContainsKey("traceparent"));
        Assert.False(headers.ContainsKey("x-b3-traceid"));
        Assert.False(headers.ContainsKey("x-request-id"));
        Assert.NotEmpty(spans.Of(parent.TraceId)); // spans are still recorded: only the headers are withheld
    }

    [Fact]
    public async Task RequestId_GeneratedOnce_KeptAcrossRetries_AttemptCountGrows()
    {
        using var mesh = new TelemetryTestMesh(service: s => s.Route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 3 });
        mesh.Then(TelemetryTestMesh.Status(503), TelemetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(3, mesh.Attempts.Count);
        var id = mesh.Attempts[0]["x-request-id"];
        Assert.True(Guid.TryParse(id, out _));
        Assert.All(mesh.Attempts, a => Assert.Equal(id, a["x-request-id"]));
        Assert.Equal(["1", "2", "3"], mesh.Attempts.Select(a => a["x-envoy-attempt-count"]));
    }

    [Fact]
    public async Task CallerRequestId_IsKept()
    {
        using var mesh = new TelemetryTestMesh();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.Add("x-request-id", "from-the-caller");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal("from-the-caller", mesh.Attempts[0]["x-request-id"]);
    }

    [Fact]
    public async Task GenerateRequestIdOff_NoRequestId()
    {
        using var mesh = new TelemetryTestMesh(mesh: m => m.Telemetry.GenerateRequestId = false);

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.False(mesh.Attempts[0].ContainsKey("x-request-id"));
    }

    [Fact]
    public async Task IncludeAttemptCountOff_NoAttemptSendsIt_TheRetriesAreStillCounted()
    {
        using var mesh = new TelemetryTestMesh(
            mesh: m => m.Telemetry.IncludeAttemptCount = false,
            service: s => s.Route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 });
        mesh.Then(TelemetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, mesh.Attempts.Count);
        Assert.All(mesh.Attempts, a => Assert.False(a.ContainsKey("x-envoy-attempt-count")));
        Assert.All(mesh.Attempts, a => Assert.True(a.ContainsKey("x-request-id"))); // the other header is not affected
        Assert.Equal(2, response.GetMeshResult()!.Attempts);
    }

    [Fact]
    public async Task IncludeAttemptCountOff_TheCallersOwnHeader_IsLeftAsItIs()
    {
        using var mesh = new TelemetryTestMesh(mesh: m => m.Telemetry.IncludeAttemptCount = false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-envoy-attempt-count", "7");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal("7", mesh.Attempts[0]["x-envoy-attempt-count"]);
    }

    [Fact]
    public async Task BothProxyHeadersOff_NoActivity_TheAttemptCarriesNoHeaderAtAll()
    {
        using var mesh = new TelemetryTestMesh(mesh: m =>
        {
            m.Telemetry.GenerateRequestId = false;
            m.Telemetry.IncludeAttemptCount = false;
        });
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(mesh.Attempts[0]);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    [Fact]
    public void BindConfiguration_TelemetrySection_BindsEveryField()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Telemetry:SourceWorkload"] = "checkout",
            ["Mesh:Telemetry:SourceWorkloadNamespace"] = "shop",
            ["Mesh:Telemetry:IstioCompatibleMetrics"] = "true",
            ["Mesh:Telemetry:Propagation"] = "W3C, B3Single",
            ["Mesh:Telemetry:GenerateRequestId"] = "false",
            ["Mesh:Telemetry:IncludeAttemptCount"] = "false",
            ["Mesh:Telemetry:EndpointLabels"] = "true",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Protocol"] = "HTTPS",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
            ["Mesh:ExternalServices:0:TracePropagation"] = "None",
        }).Build();
        using var harness = TestSupport.MeshHarness.BoundTo(configuration);

        var options = harness.Services.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;

        Assert.Empty(options.SourceDiagnostics);
        var telemetry = options.Telemetry;
        Assert.Equal(("checkout", "shop", true, TracePropagation.W3C | TracePropagation.B3Single, false, false, true), (telemetry.SourceWorkload, telemetry.SourceWorkloadNamespace, telemetry.IstioCompatibleMetrics, telemetry.Propagation, telemetry.GenerateRequestId, telemetry.IncludeAttemptCount, telemetry.EndpointLabels));
        Assert.False(harness.Runtime.Telemetry.Settings.IncludeAttemptCount);
        Assert.Equal(TracePropagation.None, options.ExternalServices[0].TracePropagation);
        Assert.Equal(TracePropagation.None, harness.Runtime.Telemetry.Settings.PropagationFor("api.example.com"));
        Assert.Equal(TracePropagation.W3C | TracePropagation.B3Single, harness.Runtime.Telemetry.Settings.PropagationFor("other.example.com"));
    }

    [Fact]
    public void BindConfiguration_InvalidPropagation_ReportedWithTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Telemetry:Propagation"] = "w3c, zipkin",
        }).Build();
        var options = new MeshOptions();

        MeshConfigurationBinding.TryBind(configuration.GetSection("Mesh"), options, "Mesh");

        var finding = Assert.Single(options.SourceDiagnostics);
        Assert.Equal("Mesh: Mesh:Telemetry:Propagation: 'w3c, zipkin' is not a valid trace propagation; use None, W3C, B3Multi or B3Single, or several separated by commas.", finding.Message);
    }

    /// <summary>Records every MeshClient span (all tests' spans: filter by trace).</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly List<Activity> _stopped = [];

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = static s => s.Name is MeshTelemetry.Name or TestSourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    lock (_stopped)
                    {
                        _stopped.Add(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> Of(ActivityTraceId trace)
        {
            lock (_stopped)
            {
                return _stopped.Where(a => a.TraceId == trace && a.Source.Name == MeshTelemetry.Name).ToList();
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
