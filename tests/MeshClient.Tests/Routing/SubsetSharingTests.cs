using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Routing;

/// <summary>
/// A service's default cluster and its subset clusters share each endpoint's connection pool (when
/// their wire settings are equal) and its in-flight load, while health, statistics and circuit
/// breakers stay per cluster (Envoy builds one cluster per subset).
/// </summary>
[Trait("Area", "Routing")]
public sealed class SubsetSharingTests
{
    private const string Host = "api.example.com";
    private static readonly ClusterKey Default = new(Host, 443);
    private static readonly ClusterKey V1 = new(Host, 443, "v1");
    private static readonly ClusterKey V2 = new(Host, 443, "v2");

    /// <summary>api.example.com over 10.0.0.1 (v1) and 10.0.0.2 (v2) with routes to the default cluster and to each subset in <paramref name="subsets"/>.</summary>
    private static MeshOptions Options(Action<ExternalServiceOptions>? configure = null, params string[] subsets)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add(Host);
        Labelled(service);
        var route = Route(To(Host, weight: 1));
        foreach (var subset in subsets)
        {
            route.Route.Add(To(Host, subset, 1));
        }

        service.Http.Add(route);
        configure?.Invoke(service);
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        return options;
    }

    private static void ConnectTimeout(ExternalServiceOptions service, string subset, TimeSpan timeout) =>
        service.Subsets.Single(s => s.Name == subset).TrafficPolicy = new TrafficPolicyOptions
        {
            ConnectionPool = new ConnectionPoolOptions { Tcp = { ConnectTimeout = timeout } },
        };

    private static MeshRuntime Runtime(StaticMonitor monitor) =>
        new(monitor, handlerFactory: new ClusterHandlerFactory((_, _) => new RecordingHandler()));

    private static Cluster Find(MeshRuntime runtime, ClusterKey key) => runtime.FindCluster(key)!;

    private static MeshEndpoint At(Cluster cluster, string address) => cluster.Endpoints.Single(e => e.Authority == address + ":443");

    [Fact]
    public void SubsetAndDefaultCluster_SameEndpoint_SharePoolAndLoad_NotTheEndpoint()
    {
        using var runtime = Runtime(new StaticMonitor(Options(subsets: "v1")));
        var main = At(Find(runtime, Default), "10.0.0.1");
        var v1Cluster = Find(runtime, V1);
        var v1 = Assert.Single(v1Cluster.Endpoints);

        Assert.NotSame(main, v1); // its own health, statistics, circuit breakers
        Assert.Same(main.Pool, v1.Pool); // the same connections
        Assert.Same(main.Load, v1.Load); // the same load
        Assert.NotSame(main.Health, v1.Health);
        Assert.NotSame(main.Admission, v1.Admission);

        var attempt = v1Cluster.Start()!;
        var direct = main.TryStart()!;

        Assert.Same(main.Pool, direct);
        Assert.Equal(2, main.InFlight); // least request sees both clusters' attempts
        Assert.Equal(2, v1.InFlight);
        Assert.Equal(1, main.ClusterInFlight);
        Assert.Equal(1, v1.ClusterInFlight);
        Assert.Equal(1, main.Requests);
        Assert.Equal(1, v1.Requests);

        attempt.End();
        main.OnEnd(direct, AttemptTestExtensions.Ok);
        Assert.Equal(0, main.InFlight);
        Assert.Equal(1, v1.Successes);
        Assert.Equal(1, main.Successes);
    }

    [Fact]
    public void Statistics_InFlightAndRequests_PerCluster_WhileTheLoadIsShared()
    {
        using var runtime = Runtime(new StaticMonitor(Options(subsets: "v1")));
        var attempt = Find(runtime, V1).Start()!;

        var rows = new MeshStatistics(runtime).GetEndpointStatistics().Where(r => r.Endpoint == "10.0.0.1:443").ToDictionary(r => r.Cluster);

        Assert.Equal((1, 1L), (rows[$"outbound|443|v1|{Host}"].InFlight, rows[$"outbound|443|v1|{Host}"].Requests));
        Assert.Equal((0, 0L), (rows[$"outbound|443||{Host}"].InFlight, rows[$"outbound|443||{Host}"].Requests));
        Assert.Equal(1, At(Find(runtime, Default), "10.0.0.1").InFlight); // what the default cluster's least request sees
        attempt.End();
    }

    [Fact]
    public void LeastRequest_DefaultCluster_AvoidsTheEndpointTheSubsetKeepsBusy()
    {
        using var runtime = Runtime(new StaticMonitor(Options(s => s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.LeastRequest, "v1")));
        var held = Find(runtime, V1).Start()!; // 10.0.0.1 busy with the subset's attempt
        var picker = Find(runtime, Default).Picker;

        var idle = 0;
        for (var i = 0; i < 2000; i++)
        {
            idle += picker.Pick()!.Authority == "10.0.0.2:443" ? 1 : 0;
        }

        // Two random choices: the idle endpoint wins unless both draws are the busy one (3/4); unshared load would be 1/2.
        Assert.InRange(idle, 1350, 1650);
        held.End();
    }

    [Fact]
    public void SubsetEjectsSharedEndpoint_DefaultClusterStillPicksIt()
    {
        using var runtime = Runtime(new StaticMonitor(Options(subsets: "v1")));
        var mainCluster = Find(runtime, Default);
        var v1Cluster = Find(runtime, V1);
        var v1 = Assert.Single(v1Cluster.Endpoints);

        Assert.True(v1Cluster.SetUnavailable(v1, EndpointUnavailability.Ejected, true));

        Assert.Empty(v1Cluster.AvailableEndpoints);
        var main = At(mainCluster, "10.0.0.1");
        Assert.Equal(EndpointUnavailability.None, main.Unavailability);
        Assert.Contains(main, mainCluster.AvailableEndpoints);
        var picked = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            var attempt = mainCluster.Start()!;
            picked.Add(attempt.Endpoint.Authority);
            attempt.End();
        }

        Assert.Contains("10.0.0.1:443", picked);
        Assert.False(v1.Pool.IsRetired); // ejection takes the endpoint out of one cluster, not its connections
    }

    [Fact]
    public void SubsetWithOwnConnectTimeout_GetsItsOwnPool_SharesTheLoad()
    {
        using var runtime = Runtime(new StaticMonitor(Options(s => ConnectTimeout(s, "v1", TimeSpan.FromSeconds(2)), "v1")));
        var main = At(Find(runtime, Default), "10.0.0.1");
        var v1 = Assert.Single(Find(runtime, V1).Endpoints);

        Assert.NotSame(main.Pool, v1.Pool);
        Assert.Same(main.Load, v1.Load);
    }

    [Fact]
    public void MaxConnectionsSet_EqualSettings_EachClusterKeepsItsOwnPool_TheLoadStaysShared()
    {
        // Envoy caps connections per cluster: a pool shared by the default and subset clusters would cap them together.
        using var runtime = Runtime(new StaticMonitor(Options(
            s => s.TrafficPolicy = new TrafficPolicyOptions { ConnectionPool = new ConnectionPoolOptions { Tcp = { MaxConnections = 4 } } },
            "v1")));
        var main = At(Find(runtime, Default), "10.0.0.1");
        var v1 = Assert.Single(Find(runtime, V1).Endpoints);

        Assert.NotSame(main.Pool, v1.Pool);
        Assert.Same(main.Load, v1.Load);
    }

    [Fact]
    public void SubsetWithOwnTls_GetsItsOwnPool()
    {
        using var runtime = Runtime(new StaticMonitor(Options(
            s => s.Subsets.Single(x => x.Name == "v1").TrafficPolicy = new TrafficPolicyOptions { Tls = new TlsOptions { Mode = TlsMode.Simple, Sni = "v1.api.example.com" } },
            "v1")));
        var main = At(Find(runtime, Default), "10.0.0.1");
        var v1 = Assert.Single(Find(runtime, V1).Endpoints);

        Assert.NotSame(main.Pool, v1.Pool);
    }

    [Fact]
    public void TwoSubsets_DefaultAndBothSubsets_ShareEachEndpointsPool()
    {
        using var runtime = Runtime(new StaticMonitor(Options(subsets: ["v1", "v2"])));
        var mainCluster = Find(runtime, Default);

        Assert.Same(At(mainCluster, "10.0.0.1").Pool, Assert.Single(Find(runtime, V1).Endpoints).Pool);
        Assert.Same(At(mainCluster, "10.0.0.2").Pool, Assert.Single(Find(runtime, V2).Endpoints).Pool);
        Assert.NotSame(At(mainCluster, "10.0.0.1").Pool, At(mainCluster, "10.0.0.2").Pool);
    }

    [Fact]
    public void Reload_SubsetsRemoved_SharedPoolStaysOpen_SubsetsOwnPoolRetires()
    {
        var monitor = new StaticMonitor(Options(s => ConnectTimeout(s, "v2", TimeSpan.FromSeconds(2)), "v1", "v2"));
        using var runtime = Runtime(monitor);
        var mainCluster = Find(runtime, Default);
        var v1Cluster = Find(runtime, V1);
        var v1 = Assert.Single(v1Cluster.Endpoints);
        var shared = v1.Pool;
        var v2Own = Assert.Single(Find(runtime, V2).Endpoints).Pool;
        Assert.NotSame(v2Own, At(mainCluster, "10.0.0.2").Pool);

        monitor.Change(Options(s => ConnectTimeout(s, "v2", TimeSpan.FromSeconds(2))));

        Assert.Null(runtime.FindCluster(V1));
        Assert.True(v1Cluster.IsDisposed);
        Assert.True(v1.IsRetired);
        Assert.Null(v1.TryStart()); // a retired endpoint takes no attempt, though its pool stays open for the default cluster
        Assert.False(shared.IsRetired);
        Assert.Same(shared, At(mainCluster, "10.0.0.1").Pool);
        Assert.True(v2Own.IsRetired);
        Assert.True(v2Own.IsClosed);
        var main = At(mainCluster, "10.0.0.1");
        var pool = main.TryStart()!;
        Assert.Same(shared, pool);
        main.OnEnd(pool, AttemptTestExtensions.Ok);
        Assert.False(shared.IsClosed);
    }

    [Fact]
    public void Reload_SubsetRemovedWithAttemptInFlight_SharedPoolStaysOpenAfterIt()
    {
        var monitor = new StaticMonitor(Options(subsets: "v1"));
        using var runtime = Runtime(monitor);
        var v1Cluster = Find(runtime, V1);
        var shared = Assert.Single(v1Cluster.Endpoints).Pool;
        Assert.True(v1Cluster.TryAcquire());
        var attempt = v1Cluster.Start()!;

        monitor.Change(Options());
        attempt.End();
        v1Cluster.Release();

        Assert.True(v1Cluster.IsDisposed);
        Assert.False(shared.IsRetired);
        Assert.Same(shared, At(Find(runtime, Default), "10.0.0.1").Pool);
        Assert.Equal(0, At(Find(runtime, Default), "10.0.0.1").InFlight);
    }

    [Fact]
    public void Reload_WireChangeInSubset_LeavesTheDefaultClustersPool_BackToEqualSharesAgain()
    {
        var monitor = new StaticMonitor(Options(subsets: "v1"));
        using var runtime = Runtime(monitor);
        var main = At(Find(runtime, Default), "10.0.0.1");
        var v1 = Assert.Single(Find(runtime, V1).Endpoints);
        var shared = main.Pool;

        monitor.Change(Options(s => ConnectTimeout(s, "v1", TimeSpan.FromSeconds(2)), "v1"));

        Assert.Same(v1, Assert.Single(Find(runtime, V1).Endpoints)); // the endpoint stays, with a pool of its own
        Assert.NotSame(shared, v1.Pool);
        Assert.Same(shared, main.Pool);
        Assert.False(shared.IsRetired);
        var own = v1.Pool;

        monitor.Change(Options(subsets: "v1"));

        Assert.Same(shared, v1.Pool);
        Assert.True(own.IsClosed);
        Assert.False(shared.IsRetired);
    }

    [Fact]
    public void Reload_WireChangeInDefaultCluster_LeavesTheSubsetsPool()
    {
        var monitor = new StaticMonitor(Options(s => ConnectTimeout(s, "v1", TimeSpan.FromSeconds(2)), "v1"));
        using var runtime = Runtime(monitor);
        var main = At(Find(runtime, Default), "10.0.0.1");
        var v1 = Assert.Single(Find(runtime, V1).Endpoints);
        var mainPool = main.Pool;
        var v1Pool = v1.Pool;

        // The service's connect timeout becomes the subset's: the subset's wire is unchanged, the default's now equals it.
        monitor.Change(Options(
            s =>
            {
                s.TrafficPolicy.ConnectionPool = new ConnectionPoolOptions { Tcp = { ConnectTimeout = TimeSpan.FromSeconds(2) } };
                ConnectTimeout(s, "v1", TimeSpan.FromSeconds(2));
            },
            "v1"));

        Assert.Same(v1Pool, v1.Pool);
        Assert.False(v1Pool.IsRetired);
        Assert.Same(v1Pool, main.Pool); // equal wire settings now: the default cluster leases the subset's pool
        Assert.True(mainPool.IsClosed);
    }

    [Fact]
    public void RenewPools_BothClustersGetOneFreshSharedPool_OldClosesAfterItsAttempts()
    {
        using var runtime = Runtime(new StaticMonitor(Options(subsets: "v1")));
        var mainCluster = Find(runtime, Default);
        var v1Cluster = Find(runtime, V1);
        var main = At(mainCluster, "10.0.0.1");
        var v1 = Assert.Single(v1Cluster.Endpoints);
        var old = main.Pool;
        var inFlight = v1Cluster.Start()!;

        mainCluster.RenewPools();

        var fresh = main.Pool;
        Assert.NotSame(old, fresh);
        Assert.Same(old, v1.Pool); // until the subset's own TLS source sees the rotation
        Assert.False(old.IsRetired);

        v1Cluster.RenewPools();

        Assert.Same(fresh, v1.Pool); // shared again, not a third pool
        Assert.True(old.IsRetired);
        Assert.False(old.IsClosed); // the attempt in flight finishes on it
        inFlight.End();
        Assert.True(old.IsClosed);
        Assert.False(fresh.IsRetired);
    }

    [Fact]
    public void Reload_EndpointLeavesBothClusters_PoolClosed()
    {
        var monitor = new StaticMonitor(Options(subsets: "v1"));
        using var runtime = Runtime(monitor);
        var v1Cluster = Find(runtime, V1);
        var pool = Assert.Single(v1Cluster.Endpoints).Pool;

        monitor.Change(Options(
            s =>
            {
                s.Endpoints.RemoveAt(0); // 10.0.0.1, the only v1 endpoint
            },
            "v1"));

        Assert.Empty(Find(runtime, V1).Endpoints);
        Assert.DoesNotContain(Find(runtime, Default).Endpoints, e => e.Authority == "10.0.0.1:443");
        Assert.True(pool.IsRetired);
        Assert.True(pool.IsClosed);
    }

    [Fact]
    public void RuntimeDisposed_EverySharedPoolClosed()
    {
        var runtime = Runtime(new StaticMonitor(Options(subsets: ["v1", "v2"])));
        var pools = runtime.GetClusters().SelectMany(c => c.Endpoints).Select(e => e.Pool).Distinct().ToArray();
        Assert.Equal(2, pools.Length);

        runtime.Dispose();

        Assert.All(pools, p => Assert.True(p.IsClosed));
    }
}
