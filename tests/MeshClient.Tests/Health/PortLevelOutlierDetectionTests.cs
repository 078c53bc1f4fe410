using MeshClient.Configuration;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Health;

/// <summary><c>portLevelSettings[].outlierDetection</c> with Istio's merge: a port-level entry replaces the service's components for its port and inherits none.</summary>
[Trait("Area", "OutlierDetection")]
public sealed class PortLevelOutlierDetectionTests
{
    private static ExternalServiceOptions Service(Action<ExternalServiceOptions> configure)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        Labelled(service);
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 7, MaxEjectionPercent = 50 };
        configure(service);
        return service;
    }

    private static MeshSnapshot Snapshot(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        return MeshSnapshot.Build(options);
    }

    private static ClusterDefinition Cluster(MeshSnapshot snapshot, string name) => snapshot.Clusters.Single(c => c.Key.ToString() == name);

    [Fact]
    public void Snapshot_PortLevelOutlierDetection_AppliesToThatPortOnly()
    {
        var snapshot = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 2, MaxEjectionPercent = 50 },
        })));

        Assert.Equal(7, Cluster(snapshot, "outbound|443||api.example.com").OutlierDetection!.Consecutive5xxErrors);
        Assert.Equal(2, Cluster(snapshot, "outbound|80||api.example.com").OutlierDetection!.Consecutive5xxErrors);
    }

    [Fact]
    public void Snapshot_PortLevelEntryWithoutOutlierDetection_TurnsItOffForThatPort()
    {
        // Istio: "default values will be applied to fields omitted in port-level traffic policies".
        var snapshot = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            Tls = new TlsOptions { Mode = TlsMode.Simple },
        })));

        Assert.NotNull(Cluster(snapshot, "outbound|443||api.example.com").OutlierDetection);
        var http = Cluster(snapshot, "outbound|80||api.example.com");
        Assert.Null(http.OutlierDetection);
        Assert.NotNull(http.Wire.Tls);
    }

    [Fact]
    public void Snapshot_SubsetComponentOverServicePortLevel_ThenSubsetPortLevelOverBoth()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 3, MaxEjectionPercent = 50 } });
            s.Subsets[0].TrafficPolicy = new TrafficPolicyOptions { OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 4, MaxEjectionPercent = 100 } };
            s.Subsets[1].TrafficPolicy = new TrafficPolicyOptions { OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 4, MaxEjectionPercent = 100 } };
            s.Subsets[1].TrafficPolicy!.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 5, MaxEjectionPercent = 100 } });
            s.Http.Add(Route(To("api.example.com", "v1", 1, 443), To("api.example.com", "v2", 1, 443)));
        }));

        Assert.Equal(3, Cluster(snapshot, "outbound|443||api.example.com").OutlierDetection!.Consecutive5xxErrors);
        Assert.Equal(4, Cluster(snapshot, "outbound|443|v1|api.example.com").OutlierDetection!.Consecutive5xxErrors); // the subset's component replaces the service's port-level one
        Assert.Equal(5, Cluster(snapshot, "outbound|443|v2|api.example.com").OutlierDetection!.Consecutive5xxErrors); // the subset's own port-level entry wins
    }

    [Fact]
    public void Validate_PortLevelOutlierDetection_FieldPathsAndSmallPoolWarning()
    {
        var service = Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = -1 },
        }));
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var messages = MeshOptionsValidator.Validate(options).Select(d => d.ToString()).ToArray();

        Assert.Contains("error: External service 'api.example.com': trafficPolicy.portLevelSettings[0].outlierDetection.consecutive5xxErrors must not be negative (was '-1').", messages);
        Assert.Contains("warning: External service 'api.example.com': trafficPolicy.portLevelSettings[0].outlierDetection.maxEjectionPercent 10 ejects no endpoint of 2: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least 50; raise it or set AlwaysEjectOneHost.", messages);
    }

    [Fact]
    public void Snapshot_SubsetTls_WinsOverTheRulesPortLevelTlsForThatPort()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, Tls = new TlsOptions { Mode = TlsMode.Simple, Sni = "rule.example.com" } });
            s.Subsets[0].TrafficPolicy = new TrafficPolicyOptions { Tls = new TlsOptions { Mode = TlsMode.Simple, Sni = "subset.example.com" } };
            s.Http.Add(Route(To("api.example.com", "v1", 1, 443), To("api.example.com", "v2", 1, 443)));
        }));

        Assert.Equal("rule.example.com", Cluster(snapshot, "outbound|443||api.example.com").Wire.Tls!.Sni);
        Assert.Equal("subset.example.com", Cluster(snapshot, "outbound|443|v1|api.example.com").Wire.Tls!.Sni);
        Assert.Equal("rule.example.com", Cluster(snapshot, "outbound|443|v2|api.example.com").Wire.Tls!.Sni);
    }

    [Fact]
    public void BindConfiguration_PortLevelOutlierDetection_Binds()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "PortLevelSettings": [
                { "Port": 8080, "OutlierDetection": { "ConsecutiveGatewayErrors": 2, "BaseEjectionTime": "00:01:00" } } ] } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Empty(options.SourceDiagnostics);
        var level = Assert.Single(options.ExternalServices[0].TrafficPolicy.PortLevelSettings);
        Assert.Equal(8080, level.Port);
        Assert.Equal(2, level.OutlierDetection!.ConsecutiveGatewayErrors);
        Assert.Equal(TimeSpan.FromMinutes(1), level.OutlierDetection.BaseEjectionTime);
    }
}
