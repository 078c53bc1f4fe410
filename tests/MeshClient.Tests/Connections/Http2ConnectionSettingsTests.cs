using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Connections;

/// <summary>Istio <c>connectionPool.http</c> HTTP/2 fields: <c>h2UpgradePolicy</c>, <c>useClientProtocol</c>, <c>http2KeepAlive</c>.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class Http2ConnectionSettingsTests
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.connectionPool";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ExternalServiceOptions Service(Action<ConnectionPoolOptions> pool)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        MeshHarness.Static(service, 80, "10.0.0.1");
        service.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions();
        pool(service.TrafficPolicy.ConnectionPool);
        return service;
    }

    private static MeshOptions Options(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return options;
    }

    private static SocketsHttpHandler EndpointHandler(Action<ConnectionPoolOptions> pool)
    {
        var handlers = new List<SocketsHttpHandler>();
        using var runtime = new MeshRuntime(new StaticMonitor(Options(Service(pool))), handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));
        return Assert.Single(handlers, h => !h.UseProxy);
    }

    [Fact]
    public void Validate_UpgradeWithUseClientProtocol_ErrorAsIstio()
    {
        var finding = Assert.Single(MeshOptionsValidator.Validate(Options(Service(static p =>
        {
            p.Http.H2UpgradePolicy = H2UpgradePolicy.Upgrade;
            p.Http.UseClientProtocol = true;
        }))));

        Assert.True(finding.IsError);
        Assert.Equal(Prefix + ".http.useClientProtocol must not be true when h2UpgradePolicy is UPGRADE.", finding.Message);
    }

    [Fact]
    public void Validate_BadHttp2Values_EachErrorNamesItsField()
    {
        var messages = MeshOptionsValidator.Validate(Options(Service(static p =>
        {
            p.Http.H2UpgradePolicy = (H2UpgradePolicy)7;
            p.Http.Http2KeepAlive = new Http2KeepAliveOptions { Interval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromTicks(10_000_001) };
        }))).Select(f => f.Message).ToList();

        Assert.Equal(
        [
            Prefix + ".http.h2UpgradePolicy must be DEFAULT, DO_NOT_UPGRADE or UPGRADE (was '7').",
            Prefix + ".http.http2KeepAlive.interval must be at least 1s (was '0.5s').",
            Prefix + ".http.http2KeepAlive.timeout " + DurationValidator.Check(TimeSpan.FromTicks(10_000_001)),
        ], messages);
    }

    [Fact]
    public void Validate_ValidHttp2Settings_NoFindings() =>
        Assert.Empty(MeshOptionsValidator.Validate(Options(Service(static p =>
        {
            p.Http.H2UpgradePolicy = H2UpgradePolicy.DoNotUpgrade;
            p.Http.UseClientProtocol = true;
            p.Http.Http2KeepAlive = new Http2KeepAliveOptions { Interval = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(5) };
        }))));

    [Theory]
    [InlineData("UPGRADE")]
    [InlineData("upgrade")]
    public void BindConfiguration_Http2Fields_IstioAndCSharpSpellings(string policy)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Http:H2UpgradePolicy"] = policy,
            ["Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Http:UseClientProtocol"] = "false",
            ["Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Http:Http2KeepAlive:Interval"] = "00:00:30",
            ["Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Http:Http2KeepAlive:Timeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Empty(options.SourceDiagnostics);
        var http = options.ExternalServices[0].TrafficPolicy.ConnectionPool!.Http;
        Assert.Equal(H2UpgradePolicy.Upgrade, http.H2UpgradePolicy);
        Assert.False(http.UseClientProtocol);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), (http.Http2KeepAlive!.Interval, http.Http2KeepAlive.Timeout));
    }

    [Fact]
    public void BindConfiguration_InvalidUpgradePolicy_ReportedWithTheKeyAndIstioSpellings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Http:H2UpgradePolicy"] = "ALWAYS",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Single(provider.GetRequiredService<IOptions<MeshOptions>>().Value.SourceDiagnostics);

        Assert.Contains("Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Http:H2UpgradePolicy: 'ALWAYS' is not a valid HTTP/2 upgrade policy; use DEFAULT, DO_NOT_UPGRADE or UPGRADE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wire_Http2KeepAlive_PingsAlwaysWithIntervalAndTimeout()
    {
        var handler = EndpointHandler(static p => p.Http.Http2KeepAlive = new Http2KeepAliveOptions { Interval = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(5) });

        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), HttpKeepAlivePingPolicy.Always), (handler.KeepAlivePingDelay, handler.KeepAlivePingTimeout, handler.KeepAlivePingPolicy));
    }

    [Fact]
    public void Wire_Http2KeepAliveIntervalOnly_DotNetsPingTimeout()
    {
        var handler = EndpointHandler(static p => p.Http.Http2KeepAlive = new Http2KeepAliveOptions { Interval = TimeSpan.FromSeconds(30) });

        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20)), (handler.KeepAlivePingDelay, handler.KeepAlivePingTimeout));
    }

    [Fact]
    public void Wire_Defaults_NoPingsOneHttp2Connection()
    {
        var handler = EndpointHandler(static _ => { });

        Assert.Equal(Timeout.InfiniteTimeSpan, handler.KeepAlivePingDelay);
        Assert.False(handler.EnableMultipleHttp2Connections);
    }

    [Fact]
    public void Wire_Upgrade_MoreHttp2ConnectionsWhenStreamsRunOut()
    {
        var handler = EndpointHandler(static p => p.Http.H2UpgradePolicy = H2UpgradePolicy.Upgrade);

        Assert.True(handler.EnableMultipleHttp2Connections);
    }

    [Theory]
    [InlineData(H2UpgradePolicy.Upgrade, false, "2.0", HttpVersionPolicy.RequestVersionExact)]
    [InlineData(H2UpgradePolicy.Default, false, "1.1", HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData(H2UpgradePolicy.DoNotUpgrade, false, "1.1", HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData(H2UpgradePolicy.Default, true, "1.1", HttpVersionPolicy.RequestVersionOrLower)]
    public async Task SendAsync_UpgradePolicy_VersionOnTheWire(H2UpgradePolicy policy, bool useClientProtocol, string version, HttpVersionPolicy versionPolicy)
    {
        (Version Version, HttpVersionPolicy Policy)? seen = null;
        var wire = new RecordingHandler((request, _) =>
        {
            seen = (request.Version, request.VersionPolicy);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 80, "10.0.0.1");
                s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { H2UpgradePolicy = policy, UseClientProtocol = useClientProtocol } };
            }),
            wire);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://api.example.com/") { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };

        using var response = await harness.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((Version.Parse(version), versionPolicy), seen);
        Assert.Equal((HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrLower), (request.Version, request.VersionPolicy)); // the application's request is given back as it was
    }

    [Fact]
    public void StartAttempt_Upgrade_RequestsShareConnectionsAndNeverWait()
    {
        var monitor = new StaticMonitor(Options(Service(static p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.Http1MaxPendingRequests = 1;
            p.Http.H2UpgradePolicy = H2UpgradePolicy.Upgrade;
        })));
        using var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;

        var attempts = new[] { cluster.Start()!, cluster.Start()!, cluster.Start()! };

        // Multiplexed on HTTP/2: none takes a connection slot, none waits, none overflows.
        Assert.All(attempts, a => Assert.False(a.Admission.MustWait));
        Assert.Equal((3, 0, 0), (cluster.Admission.ActiveRequests, cluster.Admission.PendingRequests, cluster.Admission.ActiveConnections));
        foreach (var attempt in attempts)
        {
            attempt.End();
        }

        Assert.Equal(0, cluster.Admission.ActiveRequests);
    }

    [Fact]
    public void Reload_Http2SettingsChanged_ReplacesThePools()
    {
        var monitor = new StaticMonitor(Options(Service(static p => p.Tcp.MaxConnections = 1)));
        using var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;
        var first = cluster.Endpoints[0].Pool;

        monitor.Change(Options(Service(static p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.H2UpgradePolicy = H2UpgradePolicy.Upgrade;
        })));
        var upgraded = cluster.Endpoints[0].Pool;
        monitor.Change(Options(Service(static p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.H2UpgradePolicy = H2UpgradePolicy.Upgrade;
            p.Http.Http2KeepAlive = new Http2KeepAliveOptions { Interval = TimeSpan.FromSeconds(10) };
        })));

        Assert.NotSame(first, upgraded);
        Assert.True(first.IsClosed);
        Assert.NotSame(upgraded, cluster.Endpoints[0].Pool);
        Assert.True(upgraded.IsClosed);
    }

    [Fact]
    public void WireFrom_UpgradeAndUseClientProtocol_KeepsTheRequestsVersion()
    {
        var pool = new ConnectionPoolOptions { Http = { H2UpgradePolicy = H2UpgradePolicy.Upgrade } };
        Assert.True(WireSettings.From(pool).Http2Upgrade);

        pool.Http.UseClientProtocol = true; // invalid together (validation says so); the client's protocol would win, as in Envoy
        Assert.False(WireSettings.From(pool).Http2Upgrade);
    }
}
