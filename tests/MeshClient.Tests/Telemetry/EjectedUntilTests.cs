using System.Net;
using MeshClient.Configuration;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Telemetry;

/// <summary><see cref="MeshEndpointStatistics.EjectedUntil"/>: what the demo's health column shows.</summary>
[Trait("Area", "Telemetry")]
public sealed class EjectedUntilTests
{
    [Fact]
    public async Task EjectedEndpoint_EjectedUntil_LastEjectionPlusEjectionTime_OthersNull()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        using var harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddMesh(m =>
                {
                    m.DefaultTimeout = null;
                    m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 };
                });
                services.AddMeshExternalService("api.example.com", s =>
                {
                    MeshHarness.Static(s, 80, "10.0.0.1", "10.0.0.2");
                    s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions
                    {
                        Consecutive5xxErrors = 1,
                        MaxEjectionPercent = 100,
                        BaseEjectionTime = TimeSpan.FromSeconds(30),
                        Interval = TimeSpan.FromSeconds(10),
                    };
                });
            },
            new RecordingHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable))));
        var statistics = harness.Services.GetRequiredService<MeshStatistics>();
        Assert.All(statistics.GetEndpointStatistics(), row => Assert.Null(row.EjectedUntil));

        using (await harness.CreateClient().GetAsync("http://api.example.com/", TestContext.Current.CancellationToken))
        {
        }

        var ejectedAt = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(5));
        var rows = statistics.GetEndpointStatistics();
        Assert.Equal(ejectedAt + TimeSpan.FromSeconds(30), rows.Single(r => r.Failures == 1).EjectedUntil);
        Assert.Null(rows.Single(r => r.Requests == 0).EjectedUntil);
    }
}
