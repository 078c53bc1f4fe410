using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

[Trait("Area", "ConnectionPool")]
public sealed class ConnectionPoolMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", endpoints: ["10.0.0.1", "10.0.0.2"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_ConnectionPool_MapsEveryFieldWithIstioDurations()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              connectionPool:
                tcp:
                  maxConnections: 10
                  connectTimeout: 250ms
                  maxConnectionDuration: 10m
                  idleTimeout: 0s
                  tcpKeepalive: {probes: 3, time: 7200s, interval: 75s}
                http:
                  http1MaxPendingRequests: 5
                  http2MaxRequests: 100
                  maxRequestsPerConnection: 1
                  maxRetries: 4
                  idleTimeout: 30s
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var pool = Assert.Single(result.Options.ExternalServices).TrafficPolicy.ConnectionPool!;
        Assert.Equal(10, pool.Tcp.MaxConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(250), pool.Tcp.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), pool.Tcp.MaxConnectionDuration);
        Assert.Equal(TimeSpan.Zero, pool.Tcp.IdleTimeout);
        Assert.Equal(3, pool.Tcp.TcpKeepalive!.Probes);
        Assert.Equal(TimeSpan.FromHours(2), pool.Tcp.TcpKeepalive.Time);
        Assert.Equal(TimeSpan.FromSeconds(75), pool.Tcp.TcpKeepalive.Interval);
        Assert.Equal(5, pool.Http.Http1MaxPendingRequests);
        Assert.Equal(100, pool.Http.Http2MaxRequests);
        Assert.Equal(1, pool.Http.MaxRequestsPerConnection);
        Assert.Equal(4, pool.Http.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), pool.Http.IdleTimeout);
        Assert.Equal(ConnectionPoolScope.Cluster, pool.Scope);
    }

    [Fact]
    public void LoadYaml_CircuitBreakingTask_MapsItsLimits()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              connectionPool:
                tcp: {maxConnections: 1}
                http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var pool = Assert.Single(result.Options.ExternalServices).TrafficPolicy.ConnectionPool!;
        Assert.Equal(1, pool.Tcp.MaxConnections);
        Assert.Equal(1, pool.Http.Http1MaxPendingRequests);
        Assert.Equal(0, pool.Http.Http2MaxRequests); // unset: unlimited, as Istio
        Assert.Equal(ConnectionPoolDefaults.ConnectTimeout, pool.Tcp.ConnectTimeout);
    }

    [Fact]
    public void LoadYaml_Http2Fields_MappedAndOnlyMaxConcurrentStreamsWarned()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              connectionPool:
                http:
                  h2UpgradePolicy: UPGRADE
                  useClientProtocol: false
                  maxConcurrentStreams: 10
                  http2KeepAlive: {interval: 30s, timeout: 5s}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Warning [mesh.yaml:20:9] DestinationRule api: field spec.trafficPolicy.connectionPool.http.maxConcurrentStreams is not supported yet and is ignored; it cannot be applied: .NET's HTTP/2 client opens as many streams on a connection as the server's SETTINGS_MAX_CONCURRENT_STREAMS allows.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
        Assert.Single(result.Validate()); // that warning, no error
        var http = Assert.Single(result.Options.ExternalServices).TrafficPolicy.ConnectionPool!.Http;
        Assert.Equal(H2UpgradePolicy.Upgrade, http.H2UpgradePolicy);
        Assert.False(http.UseClientProtocol);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), (http.Http2KeepAlive!.Interval, http.Http2KeepAlive.Timeout));
    }

    [Theory]
    [InlineData("DEFAULT", H2UpgradePolicy.Default)]
    [InlineData("DO_NOT_UPGRADE", H2UpgradePolicy.DoNotUpgrade)]
    public void LoadYaml_H2UpgradePolicy_EachIstioValue(string text, H2UpgradePolicy expected)
    {
        var rule = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api}\nspec:\n  host: api.example.com\n  trafficPolicy:\n    connectionPool:\n      http: {h2UpgradePolicy: " + text + ", useClientProtocol: true}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var http = Assert.Single(result.Options.ExternalServices).TrafficPolicy.ConnectionPool!.Http;
        Assert.Equal((expected, true), (http.H2UpgradePolicy, http.UseClientProtocol));
    }

    [Fact]
    public void LoadYaml_InvalidHttp2Fields_EachErrorNamesFileLineAndField()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              connectionPool:
                http:
                  h2UpgradePolicy: ALWAYS
                  http2KeepAlive: {interval: 500ms, timeout: soon}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:18:26] DestinationRule api: spec.trafficPolicy.connectionPool.http.h2UpgradePolicy: Invalid value: 'ALWAYS': must be DEFAULT, DO_NOT_UPGRADE or UPGRADE.",
                "Error [mesh.yaml:19:36] DestinationRule api: spec.trafficPolicy.connectionPool.http.http2KeepAlive.interval: Invalid value: '500ms': HTTP/2 keep-alive times are at least 1s in MeshClient (.NET's HTTP/2 PINGs).",
                "Error [mesh.yaml:19:52] DestinationRule api: spec.trafficPolicy.connectionPool.http.http2KeepAlive.timeout: Invalid value: 'soon': not a duration (write it as Istio does, such as 10s, 1m or 500ms).",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_InvalidConnectionPool_EachErrorNamesFileLineAndField()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              connectionPool:
                tcp:
                  maxConnections: -1
                  connectTimeout: 0s
                  maxConnectionDuration: 1.5ms
                  tcpKeepalive: {time: 500ms}
                http:
                  http1MaxPendingRequests: -2
                  idleTimeout: forever
                  h2UpgradePolicy: UPGRADE
                  useClientProtocol: true
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:18:25] DestinationRule api: spec.trafficPolicy.connectionPool.tcp.maxConnections: Invalid value: -1: max connections must be non-negative.",
                "Error [mesh.yaml:19:25] DestinationRule api: spec.trafficPolicy.connectionPool.tcp.connectTimeout: Invalid value: '0s': duration must be greater than 1ms.",
                "Error [mesh.yaml:20:32] DestinationRule api: spec.trafficPolicy.connectionPool.tcp.maxConnectionDuration: Invalid value: '1.5ms': only durations to ms precision are supported.",
                "Error [mesh.yaml:21:30] DestinationRule api: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time: Invalid value: '500ms': TCP keep-alive times are whole seconds, at least 1s.",
                "Error [mesh.yaml:23:34] DestinationRule api: spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests: Invalid value: -2: http1 max pending requests must be non-negative.",
                "Error [mesh.yaml:24:22] DestinationRule api: spec.trafficPolicy.connectionPool.http.idleTimeout: Invalid value: 'forever': not a duration (write it as Istio does, such as 10s, 1m or 500ms).",
                "Error [mesh.yaml:26:28] DestinationRule api: spec.trafficPolicy.connectionPool.http.useClientProtocol: Invalid value: use client protocol must not be true when H2UpgradePolicy is UPGRADE.",
            ],
            result.Diagnostics.Where(d => d.Severity == MeshDiagnosticSeverity.Error).Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_EmptyConnectionPool_IsAnErrorAsInIstio()
    {
        const string Rule = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api}\nspec:\n  host: api.example.com\n  trafficPolicy:\n    connectionPool: {}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Rule, "mesh.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("Error [mesh.yaml:16:21] DestinationRule api: spec.trafficPolicy.connectionPool: Invalid value: connection pool must have at least one field.", error.ToString());
        Assert.Null(Assert.Single(result.Options.ExternalServices).TrafficPolicy.ConnectionPool);
    }
}
