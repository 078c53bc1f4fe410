using System.Net;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Health;

[Trait("Area", "OutlierDetection")]
public sealed class OutlierDetectionConfigurationTests
{
    [Fact]
    public void BindConfiguration_OutlierDetectionSection_BindsEveryField()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:Consecutive5xxErrors"] = "3",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:ConsecutiveGatewayErrors"] = "2",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:SplitExternalLocalOriginErrors"] = "true",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:ConsecutiveLocalOriginFailures"] = "4",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:Interval"] = "00:00:05",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:BaseEjectionTime"] = "00:01:00",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:MaxEjectionTime"] = "00:10:00",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:MaxEjectionPercent"] = "50",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:AlwaysEjectOneHost"] = "true",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:MinHealthPercent"] = "25",
            ["Mesh:ExternalServices:0:TrafficPolicy:OutlierDetection:HttpErrorCodes:0"] = "429",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Empty(options.SourceDiagnostics);
        var outlier = options.ExternalServices[0].TrafficPolicy.OutlierDetection!;
        Assert.Equal(3, outlier.Consecutive5xxErrors);
        Assert.Equal(2, outlier.ConsecutiveGatewayErrors);
        Assert.True(outlier.SplitExternalLocalOriginErrors);
        Assert.Equal(4, outlier.ConsecutiveLocalOriginFailures);
        Assert.Equal(TimeSpan.FromSeconds(5), outlier.Interval);
        Assert.Equal(TimeSpan.FromMinutes(1), outlier.BaseEjectionTime);
        Assert.Equal(TimeSpan.FromMinutes(10), outlier.MaxEjectionTime);
        Assert.Equal(50, outlier.MaxEjectionPercent);
        Assert.True(outlier.AlwaysEjectOneHost);
        Assert.Equal(25, outlier.MinHealthPercent);
        Assert.Equal([429], outlier.HttpErrorCodes);
    }

    [Fact]
    public void BindConfiguration_EmptySection_TurnsDetectionOnWithDefaults()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "OutlierDetection": { "MaxEjectionPercent": 10 } } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var outlier = provider.GetRequiredService<IOptions<MeshOptions>>().Value.ExternalServices[0].TrafficPolicy.OutlierDetection!;

        Assert.Equal(OutlierDetectionDefaults.Consecutive5xxErrors, outlier.Consecutive5xxErrors);
        Assert.Equal(OutlierDetectionDefaults.BaseEjectionTime, outlier.BaseEjectionTime);
        Assert.Equal(OutlierDetectionDefaults.Interval, outlier.Interval);
    }

    [Fact]
    public async Task SendAsync_EndpointAnswering503_EjectedAndTrafficMovesToTheOther()
    {
        var handler = new RecordingHandler((request, _) =>
        {
            request.Options.TryGetValue(MeshHarness.TargetKey, out var target);
            return Task.FromResult(new HttpResponseMessage(target == "10.0.0.2:80" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        });
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 80, "10.0.0.1", "10.0.0.2");
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin; // the test follows the order of picks
                s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 3, AlwaysEjectOneHost = true };
            }),
            handler);

        var endpoints = new List<string?>();
        for (var i = 0; i < 10; i++)
        {
            endpoints.Add(await harness.EndpointOfAsync("http://api.example.com/"));
        }

        // Round robin alternates until the third 503 of 10.0.0.2 (the sixth request) ejects it.
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.1:80", "10.0.0.1:80", "10.0.0.1:80"], endpoints);
        var cluster = harness.Runtime.GetClusters().Single(c => c.ServiceName == "api.example.com");
        Assert.Equal(["10.0.0.1:80"], cluster.AvailableEndpoints.Select(e => e.Authority));
    }

    [Fact]
    public async Task SendAsync_EveryEndpointEjected_503NoHealthyUpstream()
    {
        var handler = new RecordingHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)));
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 80, "10.0.0.1");
                s.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 2, MaxEjectionPercent = 100 };
            }),
            handler);
        var client = harness.CreateClient();

        for (var i = 0; i < 2; i++)
        {
            using var failed = await client.GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        using var response = await client.GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.NoHealthyUpstream, response.GetMeshResult()!.Flags);
        Assert.Equal(2, handler.Seen.Count);
    }
}
