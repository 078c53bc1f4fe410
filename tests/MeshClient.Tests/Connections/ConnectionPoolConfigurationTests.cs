using System.Net.Sockets;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Connections;

/// <summary>Validation, appsettings binding, the pools' settings and reloads of <see cref="ConnectionPoolOptions"/>.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class ConnectionPoolConfigurationTests
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.connectionPool";

    private static ExternalServiceOptions Service(Action<ConnectionPoolOptions>? pool = null, params string[] addresses)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        MeshHarness.Static(service, 80, addresses.Length == 0 ? ["10.0.0.1"] : addresses);
        if (pool is not null)
        {
            service.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions();
            pool(service.TrafficPolicy.ConnectionPool);
        }

        return service;
    }

    private static MeshOptions Options(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return options;
    }

    [Fact]
    public void Validate_Defaults_NoFindings()
    {
        Assert.Empty(MeshOptionsValidator.Validate(Options(Service(static _ => { }))));
    }

    [Fact]
    public void Validate_BadValues_EachErrorNamesItsField()
    {
        var findings = MeshOptionsValidator.Validate(Options(Service(static p =>
        {
            p.Scope = (ConnectionPoolScope)7;
            p.Tcp.MaxConnections = -1;
            p.Tcp.ConnectTimeout = TimeSpan.Zero;
            p.Tcp.MaxConnectionDuration = TimeSpan.FromTicks(15_000);
            p.Tcp.IdleTimeout = TimeSpan.FromSeconds(-1);
            p.Tcp.TcpKeepalive = new TcpKeepaliveOptions { Probes = 0, Time = TimeSpan.FromMilliseconds(500), Interval = TimeSpan.FromSeconds(75) };
            p.Http.Http1MaxPendingRequests = -1;
            p.Http.Http2MaxRequests = -2;
            p.Http.MaxRetries = -3;
            p.Http.MaxRequestsPerConnection = -4;
            p.Http.IdleTimeout = TimeSpan.FromTicks(1);
        })));

        Assert.Equal(
            [
                Prefix + ".scope must be Cluster or Endpoint (was '7').",
                Prefix + ".tcp.maxConnections must not be negative (was '-1').",
                Prefix + ".tcp.connectTimeout duration must be greater than 1ms (was '0s').",
                Prefix + ".tcp.maxConnectionDuration only durations to ms precision are supported (was '0.0015s').",
                Prefix + ".tcp.idleTimeout duration must be greater than 1ms (was '-1s').",
                Prefix + ".tcp.tcpKeepalive.probes must be at least 1 (was '0').",
                Prefix + ".tcp.tcpKeepalive.time must be at least 1s (was '0.5s').",
                Prefix + ".http.http1MaxPendingRequests must not be negative (was '-1').",
                Prefix + ".http.http2MaxRequests must not be negative (was '-2').",
                Prefix + ".http.maxRetries must not be negative (was '-3').",
                Prefix + ".http.maxRequestsPerConnection must not be negative (was '-4').",
                Prefix + ".http.idleTimeout duration must be greater than 1ms (was '0.0000001s').",
            ],
            findings.Where(f => f.IsError).Select(f => f.Message));
        Assert.Equal("trafficPolicy.connectionPool.tcp.maxConnections", findings.First(f => f.Message.Contains("maxConnections", StringComparison.Ordinal)).FieldPath);
    }

    [Fact]
    public void Validate_MaxRequestsPerConnectionAboveOne_AppliedWithoutWarning() =>
        Assert.Empty(MeshOptionsValidator.Validate(Options(Service(static p => p.Http.MaxRequestsPerConnection = 10))));

    [Fact]
    public void Wire_MaxRequestsPerConnectionAboveOne_CountsOnThePlaintextStream()
    {
        var handlers = new List<SocketsHttpHandler>();
        using var runtime = new MeshRuntime(new StaticMonitor(Options(Service(static p => p.Http.MaxRequestsPerConnection = 10))), handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));

        var endpoint = Assert.Single(handlers, h => !h.UseProxy);
        Assert.NotNull(endpoint.PlaintextStreamFilter);
        Assert.Equal(Timeout.InfiniteTimeSpan, endpoint.PooledConnectionLifetime); // connections are reused, up to 10 requests each
        Assert.Equal(10, WireSettings.From(new ConnectionPoolOptions { Http = { MaxRequestsPerConnection = 10 } }).MaxRequestsPerConnection);
        Assert.Equal(0, WireSettings.From(new ConnectionPoolOptions { Http = { MaxRequestsPerConnection = 1 } }).MaxRequestsPerConnection); // 1 is OneRequestPerConnection
    }

    [Fact]
    public void BindConfiguration_ConnectionPoolSection_BindsEveryField()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "Resolution": "STATIC",
              "Ports": [ { "Number": 80, "Name": "http", "Protocol": "HTTP" } ], "Endpoints": [ { "Address": "10.0.0.1" } ],
              "TrafficPolicy": { "ConnectionPool": {
                "Scope": "endpoint",
                "Tcp": { "MaxConnections": 1, "ConnectTimeout": "00:00:00.250", "MaxConnectionDuration": "00:10:00", "IdleTimeout": "00:00:00",
                         "TcpKeepalive": { "Probes": 3, "Time": "02:00:00", "Interval": "00:01:15" } },
                "Http": { "Http1MaxPendingRequests": 1, "Http2MaxRequests": 100, "MaxRequestsPerConnection": 1, "MaxRetries": 3, "IdleTimeout": "00:00:30" } } } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Empty(options.SourceDiagnostics);
        var pool = options.ExternalServices[0].TrafficPolicy.ConnectionPool!;
        Assert.Equal(ConnectionPoolScope.Endpoint, pool.Scope);
        Assert.Equal(1, pool.Tcp.MaxConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(250), pool.Tcp.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), pool.Tcp.MaxConnectionDuration);
        Assert.Equal(TimeSpan.Zero, pool.Tcp.IdleTimeout);
        Assert.Equal((3, TimeSpan.FromHours(2), TimeSpan.FromSeconds(75)), (pool.Tcp.TcpKeepalive!.Probes, pool.Tcp.TcpKeepalive.Time, pool.Tcp.TcpKeepalive.Interval));
        Assert.Equal((1, 100, 1, 3), (pool.Http.Http1MaxPendingRequests, pool.Http.Http2MaxRequests, pool.Http.MaxRequestsPerConnection, pool.Http.MaxRetries));
        Assert.Equal(TimeSpan.FromSeconds(30), pool.Http.IdleTimeout);
    }

    [Fact]
    public void BindConfiguration_InvalidScope_ReportedWithTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Scope"] = "host",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        var error = Assert.Single(options.SourceDiagnostics);
        Assert.Contains("Mesh:ExternalServices:0:TrafficPolicy:ConnectionPool:Scope: 'host' is not a valid connection-pool scope; use Cluster or Endpoint.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wire_Defaults_IstioIdleTimeoutAndConnectTimeoutNoLimit()
    {
        var handlers = new List<SocketsHttpHandler>();
        using var runtime = new MeshRuntime(new StaticMonitor(Options(Service())), handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));

        var endpoint = Assert.Single(handlers, h => !h.UseProxy);
        Assert.Equal(TimeSpan.FromSeconds(10), endpoint.ConnectTimeout);
        Assert.Equal(TimeSpan.FromHours(1), endpoint.PooledConnectionIdleTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, endpoint.PooledConnectionLifetime);
        Assert.Equal(int.MaxValue, endpoint.MaxConnectionsPerServer);
    }

    [Fact]
    public void Wire_Settings_AppliedToEachEndpointPool()
    {
        var handlers = new List<SocketsHttpHandler>();
        var service = Service(
            static p =>
            {
                p.Tcp.MaxConnections = 4;
                p.Tcp.ConnectTimeout = TimeSpan.FromMilliseconds(250);
                p.Tcp.MaxConnectionDuration = TimeSpan.FromMinutes(5);
                p.Tcp.IdleTimeout = TimeSpan.FromMinutes(3);
                p.Http.IdleTimeout = TimeSpan.FromSeconds(30); // wins over tcp.idleTimeout
            },
            "10.0.0.1",
            "10.0.0.2");

        using var runtime = new MeshRuntime(new StaticMonitor(Options(service)), handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));

        var endpoints = handlers.Where(h => !h.UseProxy).ToList();
        Assert.Equal(2, endpoints.Count);
        Assert.All(endpoints, h =>
        {
            Assert.Equal(TimeSpan.FromMilliseconds(250), h.ConnectTimeout);
            Assert.Equal(4, h.MaxConnectionsPerServer);
            Assert.Equal(TimeSpan.FromMinutes(5), h.PooledConnectionLifetime);
            Assert.Equal(TimeSpan.FromSeconds(30), h.PooledConnectionIdleTimeout);
        });
    }

    [Fact]
    public void Wire_OneRequestPerConnectionAndNoIdleTimeout_NoReuseAndNoIdleClose()
    {
        var handlers = new List<SocketsHttpHandler>();
        var service = Service(static p =>
        {
            p.Http.MaxRequestsPerConnection = 1;
            p.Tcp.IdleTimeout = TimeSpan.Zero;
        });

        using var runtime = new MeshRuntime(new StaticMonitor(Options(service)), handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));

        var endpoint = Assert.Single(handlers, h => !h.UseProxy);
        Assert.Equal(TimeSpan.Zero, endpoint.PooledConnectionLifetime);
        Assert.Equal(Timeout.InfiniteTimeSpan, endpoint.PooledConnectionIdleTimeout);
    }

    [Fact]
    public void Wire_ResolutionNoneWithKeepalive_ConnectsThroughTheCallback()
    {
        var handlers = new List<SocketsHttpHandler>();
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.None };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Tcp = { TcpKeepalive = new TcpKeepaliveOptions() } };

        using var runtime = new MeshRuntime(new StaticMonitor(Options(service)), handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));

        var none = Assert.Single(handlers, h => !h.UseProxy);
        Assert.NotNull(none.ConnectCallback);
        Assert.Null(Assert.Single(handlers, h => h.UseProxy).ConnectCallback); // the mesh's own passthrough is untouched
    }

    [Fact]
    public void SetKeepalive_TurnsKeepaliveOnWithTheValuesSet()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        ClusterConnections.SetKeepalive(socket, new WireSettings.TcpKeepalive(3, 600, 30));

        Assert.Equal(1, (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.Equal(600, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
        Assert.Equal(30, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!);
        Assert.Equal(3, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);
    }

    [Fact]
    public void Reload_LimitsChanged_AppliedInPlaceKeepingCountersAndPools()
    {
        var monitor = new StaticMonitor(Options(Service(static p => p.Http.Http2MaxRequests = 1)));
        using var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;
        var pool = cluster.Endpoints[0].Pool;
        var held = cluster.Start()!;
        Assert.Null(cluster.Start()); // over the limit

        monitor.Change(Options(Service(static p => p.Http.Http2MaxRequests = 2)));

        Assert.Same(cluster, runtime.FindCluster(new ClusterKey("api.example.com", 80)));
        Assert.Same(pool, cluster.Endpoints[0].Pool); // limits are not wire settings
        Assert.Equal(1, cluster.Admission.ActiveRequests);
        var second = cluster.Start()!;
        Assert.Null(cluster.Start());
        held.End();
        second.End();
        Assert.Equal(0, cluster.Admission.ActiveRequests);
    }

    [Fact]
    public void Reload_WireSettingsChanged_ReplacesThePools()
    {
        var monitor = new StaticMonitor(Options(Service(static p => p.Tcp.MaxConnections = 1)));
        using var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;
        var old = cluster.Endpoints[0].Pool;
        var inFlight = cluster.Start()!;

        monitor.Change(Options(Service(static p =>
        {
            p.Tcp.MaxConnections = 1;
            p.Http.IdleTimeout = TimeSpan.FromMinutes(5);
        })));

        Assert.NotSame(old, cluster.Endpoints[0].Pool);
        Assert.True(old.IsRetired);
        Assert.False(old.IsClosed); // the attempt in flight finishes on it
        inFlight.End();
        Assert.True(old.IsClosed);
        Assert.Equal(0, cluster.Admission.ActiveConnections);
    }

    [Fact]
    public void Reload_EndpointRemovedWithAttemptsSendingAndWaiting_EachReleasedOnce()
    {
        var monitor = new StaticMonitor(Options(Service(static p => p.Tcp.MaxConnections = 1, "10.0.0.1")));
        using var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;
        var sending = cluster.Start()!;
        var pick = cluster.StartAttempt(default, out var pool, out var waiting);
        Assert.True(waiting.MustWait);

        monitor.Change(Options(Service(static p => p.Tcp.MaxConnections = 1, "10.0.0.2")));
        Assert.True(sending.Endpoint.IsRetired);

        sending.End();
        Assert.True(waiting.Waiter!.Task.IsCompletedSuccessfully); // the retired endpoint's slot still goes to the waiter
        waiting.Waiter.MarkSent();
        cluster.EndAttempt(pick, pool, waiting, AttemptTestExtensions.Ok);

        Assert.Equal((0, 0, 0), (cluster.Admission.ActiveRequests, cluster.Admission.ActiveConnections, cluster.Admission.PendingRequests));
        Assert.True(pool!.IsClosed);
        Assert.Equal(0, sending.Endpoint.InFlight);
    }

    [Fact]
    public void TryStartRetry_ClusterWideMaxRetries_SharedByEveryEndpointAndScope()
    {
        var monitor = new StaticMonitor(Options(Service(
            static p =>
            {
                p.Http.MaxRetries = 1;
                p.Scope = ConnectionPoolScope.Endpoint;
            },
            "10.0.0.1",
            "10.0.0.2")));
        using var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;

        Assert.True(cluster.TryStartRetry());
        Assert.False(cluster.TryStartRetry());
        cluster.EndRetry();
        Assert.True(cluster.TryStartRetry());
        cluster.EndRetry();

        var stats = new MeshStatistics(runtime).GetClusterStatistics().Single(s => s.Service == "api.example.com");
        Assert.Equal((0, 1L), (stats.ActiveRetries, stats.RetryOverflows));
    }

    [Fact]
    public void StartAttempt_ClusterDisposed_ThrowsAndHandsTheAdmissionBack()
    {
        var monitor = new StaticMonitor(Options(Service(static p => p.Tcp.MaxConnections = 1)));
        var runtime = new MeshRuntime(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));
        var cluster = runtime.FindCluster(new ClusterKey("api.example.com", 80))!;

        runtime.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.StartAttempt(default, out _, out _));
        Assert.Equal((0, 0), (cluster.Admission.ActiveRequests, cluster.Admission.ActiveConnections));
    }

    [Fact]
    public async Task Send_Synchronous_OverflowIs503UO()
    {
        var release = new ManualResetEventSlim();
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 80, "10.0.0.1");
                s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Http = { Http2MaxRequests = 1 } };
            }),
            new RecordingHandler(async (_, ct) =>
            {
                await Task.Run(() => release.Wait(ct), ct);
                return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            }));
        var client = harness.CreateClient();
        var held = client.GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);
        var cluster = harness.Runtime.GetClusters().Single(c => c.ServiceName == "api.example.com");
        SpinWait.SpinUntil(() => cluster.Admission.ActiveRequests == 1, TimeSpan.FromSeconds(10));

        using var refused = client.Send(new HttpRequestMessage(HttpMethod.Get, "http://api.example.com/"), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamOverflow, refused.GetMeshResult()!.Flags);
        release.Set();
        (await held.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Dispose();
        Assert.Equal(0, cluster.Admission.ActiveRequests);
        release.Dispose();
    }

    [Fact]
    public void Merge_SubsetConnectionPool_ReplacesTheServicesWholeOrInheritsIt()
    {
        var service = new TrafficPolicyOptions { ConnectionPool = new ConnectionPoolOptions { Tcp = { MaxConnections = 1 }, Http = { Http2MaxRequests = 7 } } };
        var own = new TrafficPolicyOptions { ConnectionPool = new ConnectionPoolOptions { Http = { Http2MaxRequests = 5 } } };

        var subset = MeshSnapshot.Merge(service, own);
        var inherited = MeshSnapshot.Merge(service, new TrafficPolicyOptions());

        Assert.Equal(new ConnectionLimits { MaxRequests = 5 }, ConnectionLimits.From(subset.ConnectionPool)); // replaced whole, as Istio: no maxConnections
        Assert.Same(service.ConnectionPool, inherited.ConnectionPool);
    }
}
