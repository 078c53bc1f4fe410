using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MeshClient.IntegrationTests.Telemetry;

/// <summary>The OpenTelemetry SDK's Prometheus exporter (on 127.0.0.1) shows Istio's metric names and labels.</summary>
[Trait("Area", "Telemetry")]
public sealed class PrometheusScrapeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IstioCompatibleMetrics_ScrapeShowsIstioRequestsTotal_WithIstioLabels()
    {
        await using var upstream = await Upstream.StartAsync("scraped");
        var port = Upstream.DeadPort();
        using var meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter("MeshClient")
            .AddPrometheusHttpListener(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = port;
            })
            .Build();
        using var mesh = new MeshHost(services =>
        {
            services.AddMesh(m =>
            {
                m.Telemetry.IstioCompatibleMetrics = true;
                m.Telemetry.SourceWorkload = "scrape-test";
            });
            services.AddMeshExternalService("scraped.example.com", s => MeshHost.Static(s, 80, "http", (upstream.Port, 1)));
        });

        using (var response = await mesh.CreateClient().GetAsync("http://scraped.example.com/", Ct))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        using var scraper = new HttpClient();
        var lines = (await scraper.GetStringAsync($"http://127.0.0.1:{port}/metrics", Ct)).Split('\n');

        var requests = Assert.Single(lines, l => l.StartsWith("istio_requests_total{", StringComparison.Ordinal) && l.Contains("destination_service=\"scraped.example.com\"", StringComparison.Ordinal));
        foreach (var label in new[]
        {
            "reporter=\"source\"", "source_workload=\"scrape-test\"", "destination_service_name=\"scraped.example.com\"",
            "destination_port=\"80\"", "request_protocol=\"http\"", "response_code=\"200\"", "response_flags=\"-\"",
        })
        {
            Assert.Contains(label, requests, StringComparison.Ordinal);
        }

        Assert.Equal("1", requests[(requests.LastIndexOf('}') + 2)..].Split(' ')[0].Trim());
        Assert.Contains(lines, l => l.StartsWith("istio_request_duration_milliseconds_bucket{", StringComparison.Ordinal) && l.Contains("scraped.example.com", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("meshclient_client_requests_total{", StringComparison.Ordinal) && l.Contains("scraped.example.com", StringComparison.Ordinal));
    }
}
