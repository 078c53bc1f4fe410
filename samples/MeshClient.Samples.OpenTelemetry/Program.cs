// MeshClient with the OpenTelemetry SDK: the mesh reports through a Meter and an ActivitySource both
// named "MeshClient", so the SDK only has to listen to them. Metrics go to a Prometheus endpoint on
// 127.0.0.1 (Istio's names with IstioCompatibleMetrics, so Istio's dashboards and alerts work), spans to
// the console. In production use AddOtlpExporter() (OpenTelemetry.Exporter.OpenTelemetryProtocol) instead.
// Runs on loopback only: `dotnet run --project samples/MeshClient.Samples.OpenTelemetry`.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MeshClient;
using MeshClient.Configuration;
using MeshClient.Samples;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

await using var backend = await LoopbackBackend.StartAsync("catalog-1");

// The OpenTelemetry SDK, as an application sets it up (services.AddOpenTelemetry() in a host does the same).
var metricsPort = FreeLoopbackPort();
using var meters = Sdk.CreateMeterProviderBuilder()
    .AddMeter("MeshClient")
    .AddPrometheusHttpListener(prometheus =>
    {
        prometheus.Host = "127.0.0.1"; // loopback only
        prometheus.Port = metricsPort;
    })
    .Build();
using var tracer = Sdk.CreateTracerProviderBuilder()
    .AddSource("MeshClient", "Sample")
    .AddConsoleExporter()
    .Build();

var services = new ServiceCollection();
services.AddMesh(mesh =>
{
    mesh.Telemetry.SourceWorkload = "otel-sample";      // the source_workload label
    mesh.Telemetry.IstioCompatibleMetrics = true;       // istio_requests_total & co., beside meshclient_*
    mesh.Telemetry.Propagation = TracePropagation.W3C | TracePropagation.B3Multi;
});
services.AddMeshExternalService("catalog.example.com", svc =>
{
    svc.Resolution = ServiceResolution.Static;
    svc.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
    svc.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = backend.Port } });
});

await using var provider = services.BuildServiceProvider();
var catalog = provider.GetRequiredService<IHttpClientFactory>().CreateClient("catalog.example.com");

// The application's own span: the mesh's request span is its child, each attempt span a grandchild.
using var source = new ActivitySource("Sample");
using (source.StartActivity("list-items"))
{
    for (var i = 0; i < 3; i++)
    {
        using var response = await catalog.GetAsync(new Uri("/items", UriKind.Relative));
        Console.WriteLine($"GET /items -> {(int)response.StatusCode}   mesh: {response.GetMeshResult()}");
    }
}

// What Prometheus would scrape: Istio's request metric with Istio's labels.
using var scraper = new HttpClient(); // not a mesh client
var scrape = await scraper.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
Console.WriteLine();
Console.WriteLine($"Prometheus scrape of http://127.0.0.1:{metricsPort}/metrics (istio_requests_total):");
var found = false;
foreach (var line in scrape.Split('\n'))
{
    if (line.StartsWith("istio_requests_total{", StringComparison.Ordinal))
    {
        Console.WriteLine("  " + line);
        found |= line.Contains("destination_service=\"catalog.example.com\"", StringComparison.Ordinal)
            && line.Contains("response_code=\"200\"", StringComparison.Ordinal)
            && line.Contains("source_workload=\"otel-sample\"", StringComparison.Ordinal)
            && line.EndsWith(" 3", StringComparison.Ordinal);
    }
}

Console.WriteLine(found ? "OK" : "UNEXPECTED RESULT: no istio_requests_total series with 3 requests for catalog.example.com");
return found ? 0 : 1;

static int FreeLoopbackPort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    return ((IPEndPoint)probe.LocalEndpoint).Port;
}
