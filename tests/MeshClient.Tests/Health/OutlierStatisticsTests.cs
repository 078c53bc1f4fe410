using System.Net;
using MeshClient.Configuration;
using MeshClient.Health;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Health;

/// <summary><see cref="MeshStatistics"/> shows each endpoint's outlier-detection state.</summary>
[Trait("Area", "OutlierDetection")]
public sealed class OutlierStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static MeshHarness Harness(FakeTimeProvider time) => new(
        services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 80, "10.0.0.1", "10.0.0.2");
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
                s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 2, ConsecutiveGatewayErrors = 0, AlwaysEjectOneHost = true };
            });
        },
        new RecordingHandler((request, _) =>
        {
            request.Options.TryGetValue(MeshHarness.TargetKey, out var target);
            return Task.FromResult(new HttpResponseMessage(target == "10.0.0.2:80" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK));
        }));

    [Fact]
    public async Task GetEndpointStatistics_EjectedEndpoint_ShowsUntilCountAndReason_ThenBackIn()
    {
        var time = new FakeTimeProvider(Start);
        using var harness = Harness(time);
        var statistics = harness.Services.GetRequiredService<MeshStatistics>();
        for (var i = 0; i < 4; i++)
        {
            await harness.EndpointOfAsync("http://api.example.com/");
        }

        time.Advance(TimeSpan.FromSeconds(3));
        var rows = statistics.GetEndpointStatistics();

        var healthy = rows.Single(r => r.Endpoint == "10.0.0.1:80");
        Assert.Equal((false, null, 0L, null), (healthy.IsEjected, healthy.EjectedUntil, healthy.Ejections, healthy.EjectionReason));
        var ejected = rows.Single(r => r.Endpoint == "10.0.0.2:80");
        Assert.True(ejected.IsEjected);
        Assert.Equal(Start + OutlierDetectionDefaults.BaseEjectionTime, ejected.EjectedUntil);
        Assert.Equal(1, ejected.Ejections);
        Assert.Equal(MeshEjectionReason.Consecutive5xx, ejected.EjectionReason);

        time.Advance(TimeSpan.FromSeconds(30)); // the sweep at 40 s (interval 10 s) lets it back in
        var back = statistics.GetEndpointStatistics().Single(r => r.Endpoint == "10.0.0.2:80");
        Assert.Equal((false, null, 1L, null), (back.IsEjected, back.EjectedUntil, back.Ejections, back.EjectionReason));
    }

    [Fact]
    public void MeshEjectionReason_SameMembersInTheSameOrderAsTheDetectorsReasons()
    {
        Assert.Equal(Enum.GetNames<OutlierEjectionReason>(), Enum.GetNames<MeshEjectionReason>());
        Assert.Equal(Enum.GetValues<OutlierEjectionReason>().Select(v => (int)v), Enum.GetValues<MeshEjectionReason>().Select(v => (int)v));
    }
}
