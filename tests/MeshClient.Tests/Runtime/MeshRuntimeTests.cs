using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Runtime;

[Trait("Area", "Api")]
public sealed class MeshRuntimeTests
{
    private static ExternalServiceOptions Service(string host, params string[] addresses)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add(host);
        MeshHarness.Static(service, 443, addresses);
        return service;
    }

    private static ExternalServiceOptions RoundRobin(ExternalServiceOptions service)
    {
        service.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
        return service;
    }

    private static MeshOptions Options(params ExternalServiceOptions[] services)
    {
        var options = new MeshOptions();
        foreach (var s in services)
        {
            options.ExternalServices.Add(s);
        }

        return options;
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithEveryError()
    {
        var bad = Service("*", "not-an-ip");

        var exception = Assert.Throws<MeshConfigurationException>(() => new MeshRuntime(new StaticMonitor(Options(bad))));

        Assert.Equal(2, exception.Errors.Count);
    }

    [Fact]
    public void Reload_Invalid_KeepsLastGoodSnapshot()
    {
        var monitor = new StaticMonitor(Options(Service("a.example.com", "10.0.0.1")));
        using var runtime = new MeshRuntime(monitor);
        var before = runtime.State;

        monitor.Change(Options(Service("a.example.com", "bad-ip")));

        Assert.Same(before, runtime.State);
        Assert.NotNull(runtime.State.VirtualHosts.Match("a.example.com", 443));
    }

    [Fact]
    public void Reload_Valid_KeepsUnchangedClustersAndTheirCounters()
    {
        var monitor = new StaticMonitor(Options(Service("a.example.com", "10.0.0.1"), Service("b.example.com", "10.0.0.2")));
        using var runtime = new MeshRuntime(monitor);
        var a = runtime.FindCluster(new ClusterKey("a.example.com", 443))!;
        var b = runtime.FindCluster(new ClusterKey("b.example.com", 443))!;
        var keptEndpoint = b.Endpoints[0];
        Assert.NotNull(keptEndpoint.Start());

        monitor.Change(Options(Service("a.example.com", "10.0.0.1"), Service("b.example.com", "10.0.0.2", "10.0.0.3"), Service("c.example.com", "10.0.0.4")));

        Assert.Same(a, runtime.FindCluster(new ClusterKey("a.example.com", 443)));
        Assert.Same(b, runtime.FindCluster(new ClusterKey("b.example.com", 443)));
        Assert.Same(keptEndpoint, b.Endpoints[0]);
        Assert.Equal(2, b.Endpoints.Length);
        Assert.Equal(1, b.Endpoints[0].Requests);
        Assert.NotNull(runtime.State.VirtualHosts.Match("c.example.com", 443));
    }

    [Fact]
    public void Reload_RemovedCluster_RetiredAndDisposedWhenLastRequestEnds()
    {
        var monitor = new StaticMonitor(Options(Service("a.example.com", "10.0.0.1")));
        using var runtime = new MeshRuntime(monitor);
        var a = runtime.FindCluster(new ClusterKey("a.example.com", 443))!;
        Assert.True(a.TryAcquire());

        monitor.Change(Options(Service("b.example.com", "10.0.0.2")));

        Assert.True(a.IsRetired);
        Assert.False(a.TryAcquire());
        Assert.Null(runtime.State.VirtualHosts.Match("a.example.com", 443));
        a.Release();
        Assert.Null(runtime.FindCluster(new ClusterKey("a.example.com", 443)));
    }

    [Fact]
    public void Reload_DroppedEndpointWithAttemptInFlight_NotPickedAndClosedWhenAttemptEnds()
    {
        var pools = new Dictionary<string, RecordingHandler>();
        var factory = new ClusterHandlerFactory((_, target) => pools[target.Authority ?? target.ToString()] = new RecordingHandler());
        // Round robin from its first position makes 10.0.0.1 the first pick.
        var monitor = new StaticMonitor(Options(RoundRobin(Service("a.example.com", "10.0.0.1", "10.0.0.2"))));
        using var runtime = new MeshRuntime(monitor, handlerFactory: factory, pickerFactory: EndpointPickerFactory.Ordered);
        var a = runtime.FindCluster(new ClusterKey("a.example.com", 443))!;
        var first = a.Start()!;
        Assert.Equal("10.0.0.1:443", first.Endpoint.Authority);

        monitor.Change(Options(RoundRobin(Service("a.example.com", "10.0.0.2", "10.0.0.3"))));

        Assert.Same(a, runtime.FindCluster(new ClusterKey("a.example.com", 443)));
        Assert.True(first.Endpoint.IsRetired);
        Assert.Equal(0, pools["10.0.0.1:443"].DisposeCount); // its attempt is still running
        for (var i = 0; i < 4; i++)
        {
            var next = a.Start()!;
            Assert.NotSame(first.Endpoint, next.Endpoint);
            next.End();
        }

        first.End();

        Assert.Equal(1, pools["10.0.0.1:443"].DisposeCount);
        Assert.Equal(0, pools["10.0.0.2:443"].DisposeCount); // kept: same pool, same counters
        Assert.Equal(0, pools["10.0.0.3:443"].DisposeCount);
    }

    [Fact]
    public void Reload_SameKeyOtherResolution_ReplacesTheClusterAndRetiresTheOld()
    {
        var monitor = new StaticMonitor(Options(Service("a.example.com", "10.0.0.1")));
        using var runtime = new MeshRuntime(monitor);
        var before = runtime.FindCluster(new ClusterKey("a.example.com", 443))!;
        var passthrough = Service("a.example.com");
        passthrough.Resolution = ServiceResolution.None;

        monitor.Change(Options(passthrough));

        var after = runtime.FindCluster(new ClusterKey("a.example.com", 443))!;
        Assert.NotSame(before, after);
        Assert.True(before.IsRetired);
        Assert.NotNull(after.PassthroughConnections);
        Assert.Empty(after.Endpoints);
    }

    [Fact]
    public void Wire_EndpointPoolsConnectToTheEndpointAndRequestedHostPoolsRecycleConnections()
    {
        var handlers = new List<SocketsHttpHandler>();
        var none = Service("none.example.com");
        none.Resolution = ServiceResolution.None;
        none.Ports[0].TargetPort = 8443;
        var monitor = new StaticMonitor(Options(Service("a.example.com", "10.0.0.1"), none));

        using var runtime = new MeshRuntime(monitor, handlerFactory: ClusterHandlerFactory.ConfigureSockets(handlers.Add));

        Assert.Equal(3, handlers.Count); // the passthrough cluster, a.example.com's endpoint, none.example.com
        Assert.All(handlers, h => Assert.Equal(TimeSpan.FromSeconds(10), h.ConnectTimeout));
        Assert.All(handlers, h => Assert.False(h.UseCookies || h.AllowAutoRedirect));
        var passthrough = Assert.Single(handlers, h => h.UseProxy);
        Assert.Null(passthrough.ConnectCallback);
        Assert.Equal(TimeSpan.FromMinutes(2), passthrough.PooledConnectionLifetime);
        var endpoint = Assert.Single(handlers, h => h.PooledConnectionLifetime == Timeout.InfiniteTimeSpan);
        Assert.NotNull(endpoint.ConnectCallback);
        Assert.False(endpoint.UseProxy);
        var targetPort = Assert.Single(handlers, h => !h.UseProxy && h.PooledConnectionLifetime == TimeSpan.FromMinutes(2));
        Assert.NotNull(targetPort.ConnectCallback);
    }

    [Fact]
    public void Reload_AfterDispose_IsIgnored()
    {
        var monitor = new StaticMonitor(Options(Service("a.example.com", "10.0.0.1")));
        var runtime = new MeshRuntime(monitor);
        var before = runtime.State;
        runtime.Dispose();

        monitor.Change(Options(Service("b.example.com", "10.0.0.2")));

        Assert.Same(before, runtime.State);
    }
}
