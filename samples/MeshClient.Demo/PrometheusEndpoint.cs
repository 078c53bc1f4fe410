using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MeshClient.Demo;

/// <summary>
/// <c>--prometheus</c>: the OpenTelemetry SDK with its Prometheus exporter on 127.0.0.1 (a free port),
/// listening to the <c>MeshClient</c> meter, so <c>curl http://127.0.0.1:port/metrics</c> shows
/// <c>istio_requests_total</c> and the <c>meshclient_*</c> metrics while the demo runs.
/// </summary>
internal sealed class PrometheusEndpoint : IDisposable
{
    private readonly MeterProvider _meters;

    private PrometheusEndpoint(int port)
    {
        Port = port;
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter("MeshClient")
            .AddPrometheusHttpListener(options =>
            {
                options.Host = "127.0.0.1";
                options.Port = port;
            })
            .Build();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/metrics";

    public static PrometheusEndpoint Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new PrometheusEndpoint(port);
    }

    /// <summary>Scrapes the endpoint and prints the <c>istio_requests_total</c> series and a few MeshClient ones.</summary>
    public async Task PrintScrapeAsync()
    {
        using var client = new HttpClient();
        var text = await client.GetStringAsync(Url);
        Console.WriteLine();
        Console.WriteLine($"Prometheus scrape of {Url} (istio_requests_total, then a few meshclient_* lines):");
        var shown = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("istio_requests_total{", StringComparison.Ordinal))
            {
                Console.WriteLine("  " + line);
            }
        }

        foreach (var line in text.Split('\n'))
        {
            if (shown < 6 && (line.StartsWith("meshclient_cluster_endpoints_healthy{", StringComparison.Ordinal) || line.StartsWith("meshclient_cluster_overflows_total{", StringComparison.Ordinal) || line.StartsWith("meshclient_client_retries_total{", StringComparison.Ordinal)))
            {
                Console.WriteLine("  " + line);
                shown++;
            }
        }
    }

    public void Dispose() => _meters.Dispose();
}
