using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Discovery;

/// <summary>
/// A DestinationRule subset over STRICT DNS endpoints given by name with labels: the subset's cluster
/// resolves only the names of the endpoints it selects; a DNS change reaches the default and the
/// subset cluster, each keeping the <c>MeshEndpoint</c> objects of the addresses that stay, and the
/// two clusters share the connection pool and load of the addresses they both resolve.
/// </summary>
[Trait("Area", "Discovery")]
public sealed class DnsSubsetTests
{
    private const string Host = "api.svc.test";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subset_OverDnsEndpointNames_GetsOnlyItsNamesAddresses_DnsChangeReachesBothClusters_SharedAddressesShareTheirPool()
    {
        await using var a = await Upstream.StartAsync("a");
        await using var b = await Upstream.StartAsync("b", address: Second, port: a.Port);
        using var dns = new LoopbackDnsServer();
        dns.Set("v1.svc.test", 1, "127.0.0.1");
        dns.Set("v2.svc.test", 1, "127.0.0.2");
        using var mesh = Mesh(dns, a.Port);
        var client = mesh.CreateClient();
        var url = $"http://{Host}:{a.Port}/";
        var port = a.Port;

        // The subset's cluster: only v1.svc.test's address; the default: both names' addresses.
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-subset", "v1" } } };
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"127.0.0.1:{port}", response.GetMeshResult()!.Endpoint);
            Assert.Equal($"outbound|{port}|v1|{Host}", response.GetMeshResult()!.Cluster);
        }

        Assert.Equal(0, b.Requests);
        var subset = mesh.Runtime.FindCluster(new Model.ClusterKey(Host, port, "v1"))!;
        var all = mesh.Runtime.FindCluster(new Model.ClusterKey(Host, port))!;
        Assert.Equal([$"127.0.0.1:{port}"], Authorities(subset));
        Assert.Equal([$"127.0.0.1:{port}", $"127.0.0.2:{port}"], Authorities(all));
        var subsetFirst = subset.Endpoints[0];
        var allFirst = all.Endpoints.Single(e => e.Authority == $"127.0.0.1:{port}");
        var allSecond = all.Endpoints.Single(e => e.Authority == $"127.0.0.2:{port}");

        // v1.svc.test gains 127.0.0.2 (also v2's address): both clusters follow after the TTL.
        dns.Set("v1.svc.test", 1, "127.0.0.1", "127.0.0.2");
        await Upstream.WaitUntilAsync(() => subset.Endpoints.Length == 2, Bound, "the subset cluster has v1's two addresses");
        await Upstream.WaitUntilAsync(() => all.Dns!.Refreshes >= 3, Bound, "the default cluster refreshed after the change");

        Assert.Equal([$"127.0.0.1:{port}", $"127.0.0.2:{port}"], Authorities(subset));
        Assert.Equal([$"127.0.0.1:{port}", $"127.0.0.2:{port}"], Authorities(all)); // the shared address once
        Assert.Same(subsetFirst, subset.Endpoints.Single(e => e.Authority == $"127.0.0.1:{port}"));
        Assert.Same(allFirst, all.Endpoints.Single(e => e.Authority == $"127.0.0.1:{port}"));
        Assert.Same(allSecond, all.Endpoints.Single(e => e.Authority == $"127.0.0.2:{port}"));

        // Each cluster has its own endpoints (Envoy: a subset is another cluster, with its own hosts, health and
        // statistics), over the same connections and load for an address both resolve (equal wire settings).
        Assert.NotSame(allFirst, subsetFirst);
        Assert.Same(allFirst.Pool, subsetFirst.Pool);
        Assert.Same(allFirst.Load, subsetFirst.Load);
        var subsetSecond = subset.Endpoints.Single(e => e.Authority == $"127.0.0.2:{port}");
        Assert.NotSame(allSecond, subsetSecond);
        Assert.Same(allSecond.Pool, subsetSecond.Pool); // the address the subset gained joins the default cluster's pool

        for (var i = 0; i < 10 && b.Requests == 0; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-subset", "v1" } } };
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(b.Requests > 0, "the subset now sends to v1's new address");

        // v1.svc.test back to one address: the subset drops 127.0.0.2, the default keeps it (v2's).
        dns.Set("v1.svc.test", 1, "127.0.0.1");
        await Upstream.WaitUntilAsync(() => subset.Endpoints.Length == 1, Bound, "the subset cluster dropped 127.0.0.2");
        Assert.Same(subsetFirst, subset.Endpoints[0]);
        Assert.Same(allSecond, all.Endpoints.Single(e => e.Authority == $"127.0.0.2:{port}"));
        Assert.True(subsetSecond.IsRetired);
        Assert.False(allSecond.Pool.IsRetired); // the default cluster still sends to 127.0.0.2 over it
    }

    private static string[] Authorities(Cluster cluster) => [.. cluster.Endpoints.Select(e => e.Authority).Order(StringComparer.Ordinal)];

    private static MeshHost Mesh(LoopbackDnsServer dns, int port) =>
        new(services => services
            .AddMesh(o =>
            {
                o.Dns.NameServers.Add(dns.NameServer);
                o.Dns.MinRefreshInterval = TimeSpan.FromMilliseconds(50);
                o.Dns.RefreshRate = TimeSpan.FromSeconds(1);
                o.Dns.Jitter = TimeSpan.Zero;
            })
            .Services.AddMeshExternalService(Host, s =>
            {
                s.Resolution = ServiceResolution.Dns;
                s.Ports.Add(new ServicePortOptions(port, "http") { Protocol = ServiceProtocol.Http });
                s.Endpoints.Add(new ServiceEndpointOptions("v1.svc.test") { Labels = { ["version"] = "v1" } });
                s.Endpoints.Add(new ServiceEndpointOptions("v2.svc.test") { Labels = { ["version"] = "v2" } });
                s.Subsets.Add(new SubsetOptions { Name = "v1", Labels = { ["version"] = "v1" } });
                var v1 = new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Host, Subset = "v1" } } } };
                v1.Match.Add(new HttpMatchOptions { Headers = { ["x-subset"] = StringMatchOptions.ForExact("v1") } });
                s.Http.Add(v1);
                s.Http.Add(new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Host } } } });
            }));
}
