using System.Net;
using MeshClient.Configuration;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MeshClient.Tests.Telemetry;

[Trait("Area", "Telemetry")]
public sealed class RequestMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Success_CountsOneRequest_WithIstioLabels()
    {
        using var mesh = new TelemetryTestMesh();
        using var requests = mesh.Collect<long>("meshclient.client.requests");
        using var duration = mesh.Collect<double>("meshclient.client.request.duration");
        using var responseSize = mesh.Collect<long>("meshclient.client.response.body.size");

        using var response = await mesh.Client.GetAsync("https://api.example.com/orders/42", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var measurement = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        AssertTags(measurement, "200", "-");
        AssertTags(Assert.Single(duration.GetMeasurementSnapshot()), "200", "-");
        Assert.Equal(12, Assert.Single(responseSize.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task UpstreamAnswers503_ResponseCode503_NoFlags()
    {
        using var mesh = new TelemetryTestMesh();
        mesh.Then(TelemetryTestMesh.Status(503));
        using var requests = mesh.Collect<long>("meshclient.client.requests");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertTags(Assert.Single(requests.GetMeasurementSnapshot()), "503", "-");
    }

    [Fact]
    public async Task NoEndpoints_503UH()
    {
        using var mesh = new TelemetryTestMesh(service: s => s.Endpoints.Clear());
        using var requests = mesh.Collect<long>("meshclient.client.requests");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertTags(Assert.Single(requests.GetMeasurementSnapshot()), "503", "UH");
    }

    [Fact]
    public async Task ConnectionPoolLimit_503UO()
    {
        using var mesh = new TelemetryTestMesh(service: s =>
        {
            s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions();
            s.TrafficPolicy.ConnectionPool.Http.Http2MaxRequests = 1;
        });
        mesh.Then(mesh.Hang());
        using var requests = mesh.Collect<long>("meshclient.client.requests");
        using var overflows = mesh.Collect<long>("meshclient.cluster.overflows");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var first = mesh.Client.GetAsync("https://api.example.com/", cancel.Token);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(requests.GetMeasurementSnapshot(), m => m.Tags[MeshLabelsForTests.ResponseFlags] as string == "UO" && m.Tags[MeshLabelsForTests.ResponseCode] as string == "503");
        overflows.RecordObservableInstruments();
        Assert.Equal(1, overflows.LastMeasurement!.Value);
        Assert.Equal("outbound|443||api.example.com", overflows.LastMeasurement.Tags["cluster"]);
    }

    [Fact]
    public async Task RouteTimeout_504UT()
    {
        using var mesh = new TelemetryTestMesh(service: s => s.Route.Timeout = TimeSpan.FromSeconds(1));
        mesh.Then(mesh.Hang());
        using var requests = mesh.Collect<long>("meshclient.client.requests");

        var call = mesh.Client.GetAsync("https://api.example.com/", Ct);
        await mesh.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        mesh.Time.Advance(TimeSpan.FromSeconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        AssertTags(Assert.Single(requests.GetMeasurementSnapshot()), "504", "UT");
    }

    [Fact]
    public async Task Retried503_OneRequest_TwoAttempts_OneRetryByReason()
    {
        using var mesh = new TelemetryTestMesh(service: s => s.Route.Retries = new HttpRetryOptions { RetryOn = "503", Attempts = 2 });
        mesh.Then(TelemetryTestMesh.Status(503));
        using var requests = mesh.Collect<long>("meshclient.client.requests");
        using var attempts = mesh.Collect<long>("meshclient.client.attempts");
        using var retries = mesh.Collect<long>("meshclient.client.retries");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertTags(Assert.Single(requests.GetMeasurementSnapshot()), "200", "-");
        var byAttempt = attempts.GetMeasurementSnapshot();
        Assert.Equal(["503", "200"], byAttempt.Select(m => (string)m.Tags["response_code"]!));
        Assert.All(byAttempt, m => Assert.Equal("response", m.Tags["outcome"]));
        var retry = Assert.Single(retries.GetMeasurementSnapshot());
        Assert.Equal("503", retry.Tags["reason"]);
        Assert.Equal("api.example.com", retry.Tags["destination_service_name"]);
    }

    [Fact]
    public async Task Ejection_CountedByReason_GaugesShowOneEjected()
    {
        using var mesh = new TelemetryTestMesh(service: s =>
        {
            s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 1, MaxEjectionPercent = 100 };
        });
        mesh.Then(TelemetryTestMesh.Status(503));
        using var ejections = mesh.Collect<long>("meshclient.endpoint.ejections");
        using var healthy = mesh.Collect<long>("meshclient.cluster.endpoints.healthy");
        using var ejected = mesh.Collect<long>("meshclient.cluster.endpoints.ejected");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        var ejection = Assert.Single(ejections.GetMeasurementSnapshot());
        Assert.Equal("outlier_detection", ejection.Tags["reason"]);
        Assert.Equal("outbound|443||api.example.com", ejection.Tags["cluster"]);
        healthy.RecordObservableInstruments();
        ejected.RecordObservableInstruments();
        Assert.Equal(1, healthy.LastMeasurement!.Value);
        Assert.Equal(1, ejected.LastMeasurement!.Value);
    }

    [Fact]
    public async Task IstioCompatibleMetrics_RecordIstioNames_WithTheSameLabels()
    {
        using var mesh = new TelemetryTestMesh(mesh: m => m.Telemetry.IstioCompatibleMetrics = true);
        using var requests = mesh.Collect<long>("istio_requests");
        using var duration = mesh.Collect<double>("istio_request_duration_milliseconds");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        AssertTags(Assert.Single(requests.GetMeasurementSnapshot()), "200", "-");
        AssertTags(Assert.Single(duration.GetMeasurementSnapshot()), "200", "-");
    }

    [Fact]
    public async Task IstioCompatibleMetricsOff_NoIstioNames()
    {
        using var mesh = new TelemetryTestMesh();
        using var requests = mesh.Collect<long>("istio_requests");

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Empty(requests.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task NothingListens_RequestIsNotObserved()
    {
        using var mesh = new TelemetryTestMesh();

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(mesh.Harness.Runtime.Telemetry.Requests.Enabled);
        Assert.False(mesh.Harness.Runtime.Telemetry.Attempts.Enabled);
    }

    private static void AssertTags<T>(CollectedMeasurement<T> measurement, string code, string flags)
        where T : struct
    {
        Assert.Equal("source", measurement.Tags["reporter"]);
        Assert.Equal("checkout", measurement.Tags["source_workload"]);
        Assert.Equal("unknown", measurement.Tags["source_workload_namespace"]);
        Assert.Equal("api.example.com", measurement.Tags["destination_service"]);
        Assert.Equal("api.example.com", measurement.Tags["destination_service_name"]);
        Assert.Equal("443", measurement.Tags["destination_port"]);
        Assert.Equal("unknown", measurement.Tags["destination_subset"]);
        Assert.Equal("http", measurement.Tags["request_protocol"]);
        Assert.Equal(code, measurement.Tags["response_code"]);
        Assert.Equal(flags, measurement.Tags["response_flags"]);
    }
}

internal static class MeshLabelsForTests
{
    public const string ResponseCode = "response_code";
    public const string ResponseFlags = "response_flags";
}
