using MeshClient.Configuration;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Connections;

/// <summary><c>portLevelSettings[].connectionPool</c> with Istio's merge: a port-level entry replaces the service's connection pool for its port and inherits nothing of it.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class PortLevelConnectionPoolTests
{
    private static ExternalServiceOptions Service(Action<ExternalServiceOptions> configure)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        Labelled(service);
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.TrafficPolicy.ConnectionPool = Pool(maxConnections: 100, connectTimeout: TimeSpan.FromSeconds(3));
        configure(service);
        return service;
    }

    private static ConnectionPoolOptions Pool(int maxConnections, TimeSpan? connectTimeout = null, int maxRequestsPerConnection = 0) => new()
    {
        Tcp = new TcpConnectionPoolOptions { MaxConnections = maxConnections, ConnectTimeout = connectTimeout ?? ConnectionPoolDefaults.ConnectTimeout },
        Http = new HttpConnectionPoolOptions { MaxRequestsPerConnection = maxRequestsPerConnection },
    };

    private static MeshSnapshot Snapshot(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        return MeshSnapshot.Build(options);
    }

    private static ClusterDefinition Cluster(MeshSnapshot snapshot, string name) => snapshot.Clusters.Single(c => c.Key.ToString() == name);

    [Fact]
    public void Snapshot_TwoPortsOfOneService_GetDifferentLimitsAndWireSettings()
    {
        var snapshot = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            ConnectionPool = Pool(maxConnections: 1, connectTimeout: TimeSpan.FromMilliseconds(250), maxRequestsPerConnection: 1),
        })));

        var https = Cluster(snapshot, "outbound|443||api.example.com");
        var http = Cluster(snapshot, "outbound|80||api.example.com");
        Assert.Equal(100, https.Limits.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(3), https.Wire.ConnectTimeout);
        Assert.False(https.Wire.OneRequestPerConnection);
        Assert.Equal(1, http.Limits.MaxConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(250), http.Wire.ConnectTimeout);
        Assert.True(http.Wire.OneRequestPerConnection);
    }

    [Fact]
    public void Snapshot_PortLevelEntryWithoutConnectionPool_GivesThatPortIstioDefaults()
    {
        // Istio: "default values will be applied to fields omitted in port-level traffic policies".
        var snapshot = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
        {
            Port = 80,
            OutlierDetection = new OutlierDetectionOptions { Consecutive5xxErrors = 2, MaxEjectionPercent = 50 },
        })));

        Assert.Equal(100, Cluster(snapshot, "outbound|443||api.example.com").Limits.MaxConnections);
        var http = Cluster(snapshot, "outbound|80||api.example.com");
        Assert.Equal(0, http.Limits.MaxConnections);
        Assert.Equal(ConnectionPoolDefaults.ConnectTimeout, http.Wire.ConnectTimeout);
    }

    [Fact]
    public void Snapshot_SubsetComponentOverServicePortLevel_ThenSubsetPortLevelOverBoth()
    {
        var snapshot = Snapshot(Service(s =>
        {
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, ConnectionPool = Pool(maxConnections: 3) });
            s.Subsets[0].TrafficPolicy = new TrafficPolicyOptions { ConnectionPool = Pool(maxConnections: 4) };
            s.Subsets[1].TrafficPolicy = new TrafficPolicyOptions { ConnectionPool = Pool(maxConnections: 4) };
            s.Subsets[1].TrafficPolicy!.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, ConnectionPool = Pool(maxConnections: 5) });
            s.Http.Add(Route(To("api.example.com", "v1", 1, 443), To("api.example.com", "v2", 1, 443)));
        }));

        Assert.Equal(3, Cluster(snapshot, "outbound|443||api.example.com").Limits.MaxConnections);
        Assert.Equal(4, Cluster(snapshot, "outbound|443|v1|api.example.com").Limits.MaxConnections); // the subset's component replaces the service's port-level one
        Assert.Equal(5, Cluster(snapshot, "outbound|443|v2|api.example.com").Limits.MaxConnections); // the subset's own port-level entry wins
    }

    [Fact]
    public void Snapshot_ReloadChangingOnlyAPortsPool_ChangesOnlyThatClustersDefinition()
    {
        var before = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 80, ConnectionPool = Pool(1, TimeSpan.FromSeconds(1)) })));
        var after = Snapshot(Service(s => s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 80, ConnectionPool = Pool(1, TimeSpan.FromSeconds(2)) })));

        // A definition that is not equivalent is what makes a reload replace the cluster's endpoint pools.
        Assert.True(Cluster(before, "outbound|443||api.example.com").IsEquivalentTo(Cluster(after, "outbound|443||api.example.com")));
        Assert.False(Cluster(before, "outbound|80||api.example.com").IsEquivalentTo(Cluster(after, "outbound|80||api.example.com")));
        Assert.NotEqual(Cluster(before, "outbound|80||api.example.com").Wire, Cluster(after, "outbound|80||api.example.com").Wire);
    }

    [Fact]
    public void Validate_PortLevelConnectionPool_ErrorsAtThePortLevelPath()
    {
        var service = Service(s =>
        {
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, Tls = new TlsOptions { Mode = TlsMode.Simple } });
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
            {
                Port = 80,
                ConnectionPool = new ConnectionPoolOptions
                {
                    Tcp = new TcpConnectionPoolOptions { MaxConnections = -1 },
                    Http = new HttpConnectionPoolOptions { Http1MaxPendingRequests = -2 },
                },
            });
        });
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var messages = MeshOptionsValidator.Validate(options).Select(d => d.ToString()).ToArray();

        Assert.Contains("error: External service 'api.example.com': trafficPolicy.portLevelSettings[1].connectionPool.tcp.maxConnections must not be negative (was '-1').", messages);
        Assert.Contains(messages, m => m.StartsWith("error: External service 'api.example.com': trafficPolicy.portLevelSettings[1].connectionPool.http.http1MaxPendingRequests ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SubsetPortLevelConnectionPool_ErrorsAtTheSubsetPath()
    {
        var service = Service(s =>
        {
            s.Subsets[0].TrafficPolicy = new TrafficPolicyOptions();
            s.Subsets[0].TrafficPolicy!.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 443, ConnectionPool = Pool(maxConnections: -3) });
        });
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var messages = MeshOptionsValidator.Validate(options).Select(d => d.ToString()).ToArray();

        Assert.Contains(messages, m => m.Contains("portLevelSettings[0].connectionPool.tcp.maxConnections must not be negative (was '-3').", StringComparison.Ordinal) && m.Contains("subsets[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void BindConfiguration_PortLevelConnectionPool_BindsWithIstioSpellings()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "PortLevelSettings": [
                { "Port": 8080, "ConnectionPool": { "Scope": "Endpoint", "Tcp": { "MaxConnections": 2, "ConnectTimeout": "00:00:01" },
                  "Http": { "Http1MaxPendingRequests": 1, "H2UpgradePolicy": "UPGRADE" } } } ] } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Empty(options.SourceDiagnostics);
        var level = Assert.Single(options.ExternalServices[0].TrafficPolicy.PortLevelSettings);
        Assert.Equal(8080, level.Port);
        Assert.Equal(ConnectionPoolScope.Endpoint, level.ConnectionPool!.Scope);
        Assert.Equal(2, level.ConnectionPool.Tcp.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(1), level.ConnectionPool.Tcp.ConnectTimeout);
        Assert.Equal(1, level.ConnectionPool.Http.Http1MaxPendingRequests);
        Assert.Equal(H2UpgradePolicy.Upgrade, level.ConnectionPool.Http.H2UpgradePolicy);
    }
}
