using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Benchmarks;

/// <summary>
/// What telemetry adds to one GET through the mesh (3 STATIC endpoints, in-memory terminal handler):
/// nothing listening — with and without the generated <c>x-request-id</c> — against a
/// <see cref="MeterListener"/> on every <c>MeshClient</c> instrument and an <see cref="ActivityListener"/>
/// recording every <c>MeshClient</c> span. The target (issue #15): the <c>NoListenerNoRequestId</c> row
/// costs at most 50 ns and 0 B more than <c>PipelineOverheadBenchmarks.MeshClient</c> did before
/// telemetry; <c>NoListener</c> shows what the default <c>x-request-id</c> header costs on top.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TelemetryOverheadBenchmarks
{
    private const string Host = "api.example.com";
    private static readonly Uri RequestUri = new($"http://{Host}/v1/items?id=42");

    private ServiceProvider? _provider;
    private HttpClient _mesh = null!;
    private MeterListener? _meters;
    private ActivityListener? _spans;

    /// <summary>What listens.</summary>
    public enum TelemetryMode
    {
        /// <summary>Nothing listens and no <c>x-request-id</c> is generated (<c>GenerateRequestId = false</c>).</summary>
        NoListenerNoRequestId,

        /// <summary>Nothing listens; the defaults (an <c>x-request-id</c> per request, as Envoy).</summary>
        NoListener,

        /// <summary>A meter listener on every MeshClient instrument (measurements dropped).</summary>
        Metrics,

        /// <summary>An activity listener recording every MeshClient span (all data).</summary>
        Traces,
    }

    [Params(TelemetryMode.NoListenerNoRequestId, TelemetryMode.NoListener, TelemetryMode.Metrics, TelemetryMode.Traces)]
    public TelemetryMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var handler = new InMemoryHandler();
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((_, _) => handler));
        services.AddMesh(m => m.Telemetry.GenerateRequestId = Mode != TelemetryMode.NoListenerNoRequestId);
        services.AddMeshExternalService(Host, service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2"));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.3"));
        });
        _provider = services.BuildServiceProvider();
        _mesh = _provider.GetRequiredService<IHttpClientFactory>().CreateClient(Host);

        if (Mode == TelemetryMode.Metrics)
        {
            _meters = new MeterListener
            {
                InstrumentPublished = static (instrument, listener) =>
                {
                    if (instrument.Meter.Name == "MeshClient")
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.Start();
        }
        else if (Mode == TelemetryMode.Traces)
        {
            _spans = new ActivityListener
            {
                ShouldListenTo = static source => source.Name == "MeshClient",
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_spans);
        }

        using var response = _mesh.GetAsync(RequestUri).GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK || response.GetMeshResult() is not { Endpoint: not null })
        {
            throw new InvalidOperationException($"The mesh did not route through an endpoint: {response.GetMeshResult()}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.Dispose();
        _spans?.Dispose();
        _provider?.Dispose();
    }

    /// <summary>One GET through the mesh.</summary>
    [Benchmark]
    public async Task<HttpStatusCode> MeshClientGet()
    {
        using var response = await _mesh.GetAsync(RequestUri);
        return response.StatusCode;
    }
}
