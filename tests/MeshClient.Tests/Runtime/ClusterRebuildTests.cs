using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Runtime;

/// <summary>The cluster's single writer: endpoints matched by address and port; wire changes replace pools, not endpoints.</summary>
[Trait("Area", "Discovery")]
public sealed class ClusterRebuildTests
{
    private readonly List<RecordingHandler> _pools = [];

    [Fact]
    public void Update_WeightChanged_KeepsTheEndpointWithItsCountersAndPool()
    {
        using var cluster = Cluster(Definition(WireSettings.Default, ("10.0.0.1", 1), ("10.0.0.2", 1)));
        var endpoint = cluster.Endpoints[0];
        cluster.Start()!.End();
        var pool = endpoint.Pool;

        cluster.Update(Definition(WireSettings.Default, ("10.0.0.1", 5), ("10.0.0.2", 1)));

        Assert.Same(endpoint, cluster.Endpoints[0]);
        Assert.Equal((5, 1L), (endpoint.Weight, endpoint.Requests));
        Assert.Same(pool, endpoint.Pool);
        Assert.Equal(2, _pools.Count); // no new connection pool
    }

    [Fact]
    public void Update_WireChanged_NewPoolForEachEndpoint_InFlightAttemptFinishesOnTheOld()
    {
        using var cluster = Cluster(Definition(WireSettings.Default, ("10.0.0.1", 1)));
        var endpoint = cluster.Endpoints[0];
        var inFlight = cluster.Start()!;
        var oldPool = inFlight.Pool;

        cluster.Update(Definition(new WireSettings { ConnectTimeout = TimeSpan.FromSeconds(3) }, ("10.0.0.1", 1)));

        Assert.Same(endpoint, cluster.Endpoints[0]); // same endpoint: counters and health stay
        Assert.NotSame(oldPool, endpoint.Pool);
        Assert.Equal(0, _pools[0].DisposeCount); // its attempt is still running
        var next = cluster.Start()!;
        Assert.Same(endpoint.Pool, next.Pool);
        next.End();

        inFlight.End();

        Assert.Equal(1, _pools[0].DisposeCount);
        Assert.Equal(0, _pools[1].DisposeCount);
        Assert.Equal(2L, endpoint.Requests);
    }

    [Fact]
    public void SetUnavailable_RebuildsThePickerOverTheAvailableEndpoints()
    {
        using var cluster = Cluster(Definition(WireSettings.Default, ("10.0.0.1", 1), ("10.0.0.2", 1)));
        var first = cluster.Endpoints[0];

        Assert.True(cluster.SetUnavailable(first, EndpointUnavailability.Ejected, true));
        Assert.False(cluster.SetUnavailable(first, EndpointUnavailability.Ejected, true)); // no change, no rebuild

        Assert.Equal(["10.0.0.2:80"], cluster.AvailableEndpoints.Select(e => e.Authority));
        Assert.Equal(2, cluster.Endpoints.Length);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("10.0.0.2:80", cluster.Picker.Pick()!.Authority);
        }

        // Health survives a reload that keeps the endpoint.
        cluster.Update(Definition(WireSettings.Default, ("10.0.0.1", 2), ("10.0.0.2", 1)));
        Assert.Equal(["10.0.0.2:80"], cluster.AvailableEndpoints.Select(e => e.Authority));

        Assert.True(cluster.SetUnavailable(first, EndpointUnavailability.Ejected, false));
        Assert.Equal(2, cluster.AvailableEndpoints.Length);
    }

    [Fact]
    public void HostNameEndpoint_IsKeyedByNameAndPort_AndConnectsByName()
    {
        var endpoint = new EndpointDefinition("API.Example.com", 443, 1, null);

        Assert.Equal(new EndpointKey("api.example.com", 443), endpoint.Key);
        Assert.Equal("api.example.com:443", endpoint.Authority);
        var target = UpstreamTarget.Endpoint(endpoint).Resolve("ignored.example.com", 8443);
        Assert.Equal(new DnsEndPoint("api.example.com", 443), target);
    }

    private Cluster Cluster(ClusterDefinition definition) =>
        new(definition, new ClusterServices(
            handlerFactory: new ClusterHandlerFactory((_, _) =>
            {
                var handler = new RecordingHandler();
                _pools.Add(handler);
                return handler;
            }),
            pickerFactory: EndpointPickerFactory.Ordered));

    private static ClusterDefinition Definition(WireSettings wire, params (string Address, int Weight)[] endpoints) =>
        new(
            new ClusterKey("api.example.com", 80),
            "api.example.com",
            ServiceResolution.Static,
            ServiceProtocol.Http,
            LoadBalancerAlgorithm.RoundRobin,
            null,
            endpoints.Select(e => new EndpointDefinition(IPAddress.Parse(e.Address), 80, e.Weight, null)).ToArray(),
            wire: wire);
}
