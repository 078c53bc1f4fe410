using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using MeshClient.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Discovery;

/// <summary>
/// Resolution DNS, DNS_ROUND_ROBIN and DYNAMIC_DNS against a real DNS server on a loopback port
/// (<see cref="LoopbackDnsServer"/>), with Kestrel on 127.0.0.1 and 127.0.0.2 (same port): DNS
/// answers move the traffic. Names end in <c>.test</c> and are answered by the test's server only.
/// </summary>
[Trait("Area", "Discovery")]
public sealed class DnsResolutionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dns_TwoARecords_TrafficOverBoth_EndpointIsTheAddress()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        using var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 30, "127.0.0.1", "127.0.0.2");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.Dns);
        var client = mesh.CreateClient();

        var endpoints = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync($"http://api.dns.test:{a.Port}/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            endpoints.Add(response.GetMeshResult()!.Endpoint!);
        }

        Assert.True(a.Requests > 0 && b.Requests > 0, $"a={a.Requests} b={b.Requests}");
        Assert.Equal([$"127.0.0.1:{a.Port}", $"127.0.0.2:{a.Port}"], endpoints.Order());
        Assert.All(a.Hosts.Concat(b.Hosts), host => Assert.Equal($"api.dns.test:{a.Port}", host));
    }

    [Fact]
    public async Task Dns_RecordRemoved_EndpointDrained_InFlightRequestCompletes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await Upstream.StartAsync("a");
        await using var b = await Upstream.StartAsync("b", handler: async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("b", context.RequestAborted);
        }, address: Second, port: a.Port);
        using var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 1, "127.0.0.1", "127.0.0.2");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.Dns);
        var client = mesh.CreateClient();
        var url = $"http://api.dns.test:{a.Port}/";

        // Send until one request is in flight on b.
        Task<HttpResponseMessage>? held = null;
        for (var i = 0; i < 10 && held is null; i++)
        {
            var sending = client.GetAsync(url, Ct);
            await Upstream.WaitUntilAsync(() => sending.IsCompleted || b.Requests > 0, Bound, "the request is answered or held by b");
            if (sending.IsCompleted)
            {
                (await sending).Dispose();
            }
            else
            {
                held = sending;
            }
        }

        Assert.NotNull(held);
        dns.Set("api.dns.test", 1, "127.0.0.1");
        var cluster = Cluster(mesh, "api.dns.test", a.Port);
        await Upstream.WaitUntilAsync(() => cluster.Endpoints.Length == 1, Bound, "127.0.0.2 leaves the endpoints after the TTL");
        Assert.Equal($"127.0.0.1:{a.Port}", cluster.Endpoints[0].Authority);

        release.SetResult();
        using (var response = await held)
        {
            Assert.Equal("b", await response.Content.ReadAsStringAsync(Ct));
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("a", await client.GetStringAsync(url, Ct));
        }
    }

    [Fact]
    public async Task Dns_AnswerChanges_TrafficMovesAfterTheTtl()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        using var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 1, "127.0.0.1");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.Dns);
        var client = mesh.CreateClient();
        var url = $"http://api.dns.test:{a.Port}/";
        Assert.Equal("a", await client.GetStringAsync(url, Ct));
        var queries = dns.Queries("api.dns.test");

        dns.Set("api.dns.test", 1, "127.0.0.2");
        var cluster = Cluster(mesh, "api.dns.test", a.Port);
        await Upstream.WaitUntilAsync(() => cluster.Endpoints is [{ Authority: var only }] && only.StartsWith("127.0.0.2:", StringComparison.Ordinal), Bound, "the endpoint moves to 127.0.0.2 after the TTL");
        Assert.Equal("b", await client.GetStringAsync(url, Ct));

        Assert.True(dns.Queries("api.dns.test") > queries);
    }

    [Fact]
    public async Task Dns_NxDomainThenStoppedServer_KeepTheLastGoodSet()
    {
        await using var a = await Upstream.StartAsync("a");
        var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 1, "127.0.0.1");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.Dns, o => o.Dns.QueryTimeout = TimeSpan.FromMilliseconds(200));
        var client = mesh.CreateClient();
        var url = $"http://api.dns.test:{a.Port}/";
        Assert.Equal("a", await client.GetStringAsync(url, Ct));
        var discovery = Cluster(mesh, "api.dns.test", a.Port).Dns!;

        dns.Set("api.dns.test", LoopbackDnsServer.Behaviour.NxDomain);
        await Upstream.WaitUntilAsync(() => discovery.FailedLookups >= 1, Bound, "a lookup answered NXDOMAIN");
        Assert.Equal("a", await client.GetStringAsync(url, Ct));

        var failed = discovery.FailedLookups;
        dns.Dispose();
        await Upstream.WaitUntilAsync(() => discovery.FailedLookups > failed, Bound, "a lookup to the stopped server failed");
        Assert.Equal("a", await client.GetStringAsync(url, Ct));
    }

    [Fact]
    public async Task DnsRoundRobin_NxDomain_KeepsTheLastAddress_NewConnectionsStillGoThere()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        using var dns = new LoopbackDnsServer();
        dns.Set("rr.dns.test", 1, "127.0.0.1");
        using var mesh = Mesh(dns, "rr.dns.test", a.Port, ServiceResolution.DnsRoundRobin);
        var client = mesh.CreateClient();
        var url = $"http://rr.dns.test:{a.Port}/";
        Assert.Equal("a", await client.GetStringAsync(url, Ct));
        var discovery = Cluster(mesh, "rr.dns.test", a.Port).Dns!;

        dns.Set("rr.dns.test", LoopbackDnsServer.Behaviour.NxDomain);
        await Upstream.WaitUntilAsync(() => discovery.FailedLookups >= 1, Bound, "a lookup answered NXDOMAIN");

        // Two requests at once need a second connection: it goes to the last good address too.
        var both = await Task.WhenAll(client.GetStringAsync(url, Ct), client.GetStringAsync(url, Ct));
        Assert.Equal(["a", "a"], both);
        Assert.Equal(IPAddress.Loopback, discovery.Logical!.Current);
        Assert.Equal(0, b.Requests);
    }

    [Fact]
    public async Task Dns_EmptyAnswer_EmptiesTheSet_503UH()
    {
        await using var a = await Upstream.StartAsync("a");
        using var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 1, "127.0.0.1");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.Dns);
        var client = mesh.CreateClient();
        var url = $"http://api.dns.test:{a.Port}/";
        Assert.Equal("a", await client.GetStringAsync(url, Ct));

        dns.Set("api.dns.test", 1);
        var cluster = Cluster(mesh, "api.dns.test", a.Port);
        await Upstream.WaitUntilAsync(() => cluster.Endpoints.Length == 0, Bound, "the empty answer empties the endpoints");

        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.NoHealthyUpstream, response.GetMeshResult()!.Flags);
    }

    [Fact]
    public async Task Dns_NameNeverResolves_503DF()
    {
        using var dns = new LoopbackDnsServer();
        dns.Set("missing.dns.test", LoopbackDnsServer.Behaviour.NxDomain);
        using var mesh = Mesh(dns, "missing.dns.test", 8080, ServiceResolution.Dns);

        using var response = await mesh.CreateClient().GetAsync("http://missing.dns.test:8080/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.DnsResolutionFailure, response.GetMeshResult()!.Flags);
    }

    [Fact]
    public async Task Dns_EndpointNames_EachResolved_OnTheEndpointPort()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        using var dns = new LoopbackDnsServer();
        dns.Set("one.dns.test", 30, "127.0.0.1");
        dns.Set("two.dns.test", 30, "127.0.0.2", "127.0.0.1");
        using var mesh = new MeshHost(services => services
            .AddMesh(o => o.Dns.NameServers.Add(dns.NameServer))
            .Services.AddMeshExternalService("api.example.test", s =>
            {
                s.Resolution = ServiceResolution.Dns;
                s.Ports.Add(new ServicePortOptions(80, "http") { TargetPort = a.Port });
                s.Endpoints.Add(new ServiceEndpointOptions("one.dns.test"));
                s.Endpoints.Add(new ServiceEndpointOptions("two.dns.test"));
            }));

        var client = mesh.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            await client.GetStringAsync("http://api.example.test/", Ct);
        }

        var cluster = Cluster(mesh, "api.example.test", 80);
        Assert.Equal([$"127.0.0.1:{a.Port}", $"127.0.0.2:{a.Port}"], cluster.Endpoints.Select(e => e.Authority).Order());
        Assert.True(a.Requests > 0 && b.Requests > 0);
    }

    [Fact]
    public async Task DnsRoundRobin_KeepsTheOldConnection_NewConnectionsGoToTheNewFirstAddress()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestDelegate handler(string name) => async context =>
        {
            if (context.Request.Headers.ContainsKey("x-hold"))
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }

            await context.Response.WriteAsync(name, context.RequestAborted);
        };
        await using var a = await Upstream.StartAsync("a", handler: handler("a"));
        await using var b = await Upstream.StartAsync("b", handler: handler("b"), address: Second, port: a.Port);
        using var dns = new LoopbackDnsServer();
        dns.Set("rr.dns.test", 1, "127.0.0.1", "127.0.0.2");
        using var mesh = Mesh(dns, "rr.dns.test", a.Port, ServiceResolution.DnsRoundRobin);
        var client = mesh.CreateClient();
        var url = $"http://rr.dns.test:{a.Port}/";
        Assert.Equal("a", await client.GetStringAsync(url, Ct));
        var cluster = Cluster(mesh, "rr.dns.test", a.Port);
        Assert.Equal($"rr.dns.test:{a.Port}", Assert.Single(cluster.Endpoints).Authority);

        dns.Set("rr.dns.test", 1, "127.0.0.2", "127.0.0.1");
        await Upstream.WaitUntilAsync(() => Equals(cluster.Dns!.Logical!.Current, Second), Bound, "the first address becomes 127.0.0.2");

        // The idle connection to 127.0.0.1 is reused; a second request at the same time needs a new one.
        using var held = new HttpRequestMessage(HttpMethod.Get, url);
        held.Headers.Add("x-hold", "1");
        var first = client.SendAsync(held, Ct);
        await Upstream.WaitUntilAsync(() => a.Requests == 2, Bound, "the held request reaches 127.0.0.1 on the old connection");
        Assert.Equal("b", await client.GetStringAsync(url, Ct));
        hold.SetResult();
        using var response = await first;
        Assert.Equal("a", await response.Content.ReadAsStringAsync(Ct));
        Assert.Single(a.Connections);
    }

    [Fact]
    public async Task DynamicDns_WildcardHost_EachRequestedNameResolved_UnknownNameIsDF()
    {
        var (a, b) = await StartPairAsync();
        await using var _ = a;
        await using var __ = b;
        using var dns = new LoopbackDnsServer();
        dns.Set("a.svc.test", 30, "127.0.0.1");
        dns.Set("b.svc.test", 30, "127.0.0.2");
        using var mesh = Mesh(dns, "*.svc.test", a.Port, ServiceResolution.DynamicDns);
        var client = mesh.CreateClient();

        Assert.Equal("a", await client.GetStringAsync($"http://a.svc.test:{a.Port}/", Ct));
        Assert.Equal("b", await client.GetStringAsync($"http://b.svc.test:{a.Port}/", Ct));
        Assert.Equal("a", await client.GetStringAsync($"http://a.svc.test:{a.Port}/", Ct));
        Assert.Equal(1, dns.Queries("a.svc.test"));
        Assert.Equal([$"a.svc.test:{a.Port}", $"a.svc.test:{a.Port}"], a.Hosts.ToArray());

        using var response = await client.GetAsync($"http://c.svc.test:{a.Port}/", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.DnsResolutionFailure, response.GetMeshResult()!.Flags);
    }

    private static async Task<(Upstream A, Upstream B)> StartPairAsync()
    {
        var a = await Upstream.StartAsync("a");
        return (a, await Upstream.StartAsync("b", address: Second, port: a.Port));
    }

    private static MeshHost Mesh(LoopbackDnsServer dns, string host, int port, ServiceResolution resolution, Action<MeshOptions>? configure = null) =>
        new(services => services
            .AddMesh(o =>
            {
                o.Dns.NameServers.Add(dns.NameServer);
                o.Dns.MinRefreshInterval = TimeSpan.FromMilliseconds(50);
                o.Dns.RefreshRate = TimeSpan.FromSeconds(1);
                o.Dns.Jitter = TimeSpan.Zero;
                configure?.Invoke(o);
            })
            .Services.AddMeshExternalService(host, s =>
            {
                s.Resolution = resolution;
                s.Ports.Add(new ServicePortOptions(port, "http") { Protocol = ServiceProtocol.Http });
            }));

    private static Cluster Cluster(MeshHost mesh, string host, int port) =>
        mesh.Runtime.FindCluster(new Model.ClusterKey(host, port))!;
}
