using System.Diagnostics;
using MeshClient.Configuration;
using MeshClient.Telemetry;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Telemetry;

/// <summary>
/// Issue [egress]: a request that a route sends to an egress gateway's service reports the external host
/// as <c>destination_service</c> (<see cref="MeshResult.DestinationService"/>) and the gateway as the upstream.
/// </summary>
[Trait("Area", "Telemetry")]
public sealed class DestinationServiceTests
{
    private const string Gateway = "istio-egressgateway.istio-system.svc.cluster.local";
    private const string TestSourceName = "MeshClient.Tests.DestinationService";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>api.example.com:443 routed to the gateway's service (10.0.0.9:443), as in Istio's egress gateway task.</summary>
    private static TelemetryTestMesh ThroughGateway(Action<MeshOptions>? mesh = null) => new(
        m =>
        {
            var gateway = new ExternalServiceOptions { Hosts = { Gateway } };
            MeshHarness.Static(gateway, 443, "10.0.0.9");
            m.ExternalServices.Add(gateway);
            mesh?.Invoke(m);
        },
        s => s.Http.Add(new HttpRouteOptions
        {
            Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Gateway, Port = new PortSelectorOptions { Number = 443 } } } },
        }));

    [Fact]
    public async Task RoutedThroughGateway_RequestMetrics_NameTheExternalHost_AttemptsTheGateway()
    {
        using var mesh = ThroughGateway(m => m.Telemetry.IstioCompatibleMetrics = true);
        using var requests = mesh.Collect<long>("meshclient.client.requests");
        using var istio = mesh.Collect<long>("istio_requests");
        using var attempts = mesh.Collect<long>("meshclient.client.attempts");

        using var response = await mesh.Client.GetAsync("https://api.example.com/orders", Ct);

        var result = response.GetMeshResult()!;
        Assert.Equal("api.example.com", result.DestinationService);
        Assert.Equal($"outbound|443||{Gateway}", result.Cluster);
        foreach (var measurement in new[] { Assert.Single(requests.GetMeasurementSnapshot()), Assert.Single(istio.GetMeasurementSnapshot()) })
        {
            Assert.Equal("api.example.com", measurement.Tags["destination_service"]);
            Assert.Equal("api.example.com", measurement.Tags["destination_service_name"]);
            Assert.Equal("443", measurement.Tags["destination_port"]);
            Assert.Equal("unknown", measurement.Tags["destination_subset"]);
            Assert.Equal("200", measurement.Tags["response_code"]);
        }

        // The attempt went to the gateway: the upstream.
        var attempt = Assert.Single(attempts.GetMeasurementSnapshot());
        Assert.Equal(Gateway, attempt.Tags["destination_service"]);
    }

    [Fact]
    public async Task NotRouted_DestinationIsTheClustersService()
    {
        using var mesh = new TelemetryTestMesh();
        using var requests = mesh.Collect<long>("meshclient.client.requests");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        var measurement = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal("api.example.com", measurement.Tags["destination_service"]);
        Assert.Equal("443", measurement.Tags["destination_port"]);
    }

    [Fact]
    public async Task WildcardService_DestinationIsTheDeclaredPattern()
    {
        using var mesh = new TelemetryTestMesh(service: s => s.Hosts[0] = "*.example.com");
        using var requests = mesh.Collect<long>("meshclient.client.requests");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal("*.example.com", Assert.Single(requests.GetMeasurementSnapshot()).Tags["destination_service"]);
    }

    [Fact]
    public async Task RoutedThroughGateway_RequestSpan_DestinationServiceAndGatewayCluster()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static s => s.Name is MeshTelemetry.Name or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var mesh = ThroughGateway();
        using var parent = TestSource.StartActivity("caller")!;

        using (var response = await mesh.Client.GetAsync("https://api.example.com/", Ct))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        List<Activity> mine;
        lock (stopped)
        {
            mine = stopped.Where(a => a.TraceId == parent.TraceId && a.Source.Name == MeshTelemetry.Name).ToList();
        }

        var request = Assert.Single(mine, a => a.Kind == ActivityKind.Client);
        Assert.Equal("api.example.com", request.DisplayName);
        Assert.Equal("api.example.com", request.GetTagItem("meshclient.destination_service"));
        Assert.Equal($"outbound|443||{Gateway}", request.GetTagItem("meshclient.cluster"));
        var attempt = Assert.Single(mine, a => a.Kind == ActivityKind.Internal);
        Assert.Equal("10.0.0.9:443", attempt.GetTagItem("meshclient.endpoint"));
    }
}
