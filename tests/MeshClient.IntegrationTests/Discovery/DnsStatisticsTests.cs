using System.Diagnostics.Metrics;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace MeshClient.IntegrationTests.Discovery;

/// <summary>
/// The DNS counters of DNS-resolved clusters in <see cref="MeshStatistics.GetDnsStatistics"/> and on
/// the <c>MeshClient</c> meter, against the loopback DNS server.
/// </summary>
[Trait("Area", "Discovery")]
public sealed class DnsStatisticsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dns_RefreshesFailuresLastSuccessAndAddresses_InStatisticsAndMetrics()
    {
        await using var a = await Upstream.StartAsync("a");
        await using var b = await Upstream.StartAsync("a", address: System.Net.IPAddress.Parse("127.0.0.2"), port: a.Port);
        using var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 1, "127.0.0.1", "127.0.0.2");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.Dns);
        var statistics = mesh.Services.GetRequiredService<MeshStatistics>();
        var meters = mesh.Services.GetRequiredService<IMeterFactory>();
        using var refreshes = new MetricCollector<long>(meters, "MeshClient", "meshclient.dns.refreshes");
        using var failures = new MetricCollector<long>(meters, "MeshClient", "meshclient.dns.failures");
        using var age = new MetricCollector<double>(meters, "MeshClient", "meshclient.dns.last_success.age");
        using (var response = await mesh.CreateClient().GetAsync($"http://api.dns.test:{a.Port}/", Ct))
        {
            Assert.True(response.IsSuccessStatusCode, response.GetMeshResult()?.ToString());
        }

        var row = Assert.Single(statistics.GetDnsStatistics());
        Assert.Equal(("api.dns.test", $"outbound|{a.Port}||api.dns.test", ServiceResolution.Dns), (row.Service, row.Cluster, row.Resolution));
        Assert.True(row.Refreshes >= 1);
        Assert.Equal(0, row.FailedLookups);
        Assert.NotNull(row.LastSuccess);
        Assert.Null(row.LastFailure);
        Assert.Equal(2, row.Addresses);
        Assert.Null(row.NewConnectionAddress);

        dns.Set("api.dns.test", LoopbackDnsServer.Behaviour.NxDomain);
        await Upstream.WaitUntilAsync(() => statistics.GetDnsStatistics()[0].FailedLookups >= 1, Bound, "a lookup answered NXDOMAIN");
        row = statistics.GetDnsStatistics()[0];
        Assert.NotNull(row.LastFailure);
        Assert.Contains("api.dns.test", row.LastError, StringComparison.Ordinal);
        Assert.Contains("NXDOMAIN", row.LastError, StringComparison.Ordinal);
        Assert.Equal(2, row.Addresses); // the last good set stays

        refreshes.RecordObservableInstruments();
        failures.RecordObservableInstruments();
        age.RecordObservableInstruments();
        Assert.Equal(row.Cluster, refreshes.LastMeasurement!.Tags["cluster"]);
        Assert.True(refreshes.LastMeasurement.Value >= 1);
        Assert.True(failures.LastMeasurement!.Value >= 1);
        Assert.True(age.LastMeasurement!.Value >= 0);
        Assert.Equal(row.Cluster, age.LastMeasurement.Tags["cluster"]);
    }

    [Fact]
    public async Task DnsRoundRobin_StatisticsShowTheAddressNewConnectionsGoTo_ResultShowsTheLogicalEndpoint()
    {
        await using var a = await Upstream.StartAsync("a");
        using var dns = new LoopbackDnsServer();
        dns.Set("api.dns.test", 1, "127.0.0.1");
        using var mesh = Mesh(dns, "api.dns.test", a.Port, ServiceResolution.DnsRoundRobin);
        var statistics = mesh.Services.GetRequiredService<MeshStatistics>();
        using (var response = await mesh.CreateClient().GetAsync($"http://api.dns.test:{a.Port}/", Ct))
        {
            Assert.True(response.IsSuccessStatusCode, response.GetMeshResult()?.ToString());
            Assert.Equal($"api.dns.test:{a.Port}", response.GetMeshResult()!.Endpoint);
        }

        var row = Assert.Single(statistics.GetDnsStatistics());
        Assert.Equal((ServiceResolution.DnsRoundRobin, 1, "127.0.0.1"), (row.Resolution, row.Addresses, row.NewConnectionAddress));

        dns.Set("api.dns.test", 1, "127.0.0.2");
        await Upstream.WaitUntilAsync(() => statistics.GetDnsStatistics()[0].NewConnectionAddress == "127.0.0.2", Bound, "new connections go to the new first address");
    }

    [Fact]
    public async Task DynamicDns_EachHostLookupCounted_UnknownHostIsAFailure()
    {
        await using var a = await Upstream.StartAsync("a");
        using var dns = new LoopbackDnsServer();
        dns.Set("a.svc.test", 30, "127.0.0.1");
        using var mesh = Mesh(dns, "*.svc.test", a.Port, ServiceResolution.DynamicDns);
        var client = mesh.CreateClient();
        Assert.Equal("a", await client.GetStringAsync($"http://a.svc.test:{a.Port}/", Ct));
        using (await client.GetAsync($"http://missing.svc.test:{a.Port}/", Ct))
        {
        }

        var row = Assert.Single(mesh.Services.GetRequiredService<MeshStatistics>().GetDnsStatistics());

        Assert.Equal(ServiceResolution.DynamicDns, row.Resolution);
        Assert.Equal(2, row.Refreshes);
        Assert.Equal(1, row.FailedLookups);
        Assert.NotNull(row.LastSuccess);
        Assert.StartsWith("missing.svc.test:", row.LastError, StringComparison.Ordinal);
        Assert.Equal(1, row.Addresses);
    }

    [Fact]
    public void StaticService_HasNoDnsStatistics()
    {
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.test", s => MeshHost.Static(s, 80, "http", (8080, 1))));

        Assert.Empty(mesh.Services.GetRequiredService<MeshStatistics>().GetDnsStatistics());
    }

    private static MeshHost Mesh(LoopbackDnsServer dns, string host, int port, ServiceResolution resolution) =>
        new(services => services
            .AddMesh(o =>
            {
                o.Dns.NameServers.Add(dns.NameServer);
                o.Dns.MinRefreshInterval = TimeSpan.FromMilliseconds(50);
                o.Dns.RefreshRate = TimeSpan.FromSeconds(1);
                o.Dns.Jitter = TimeSpan.Zero;
            })
            .Services.AddMeshExternalService(host, s =>
            {
                s.Resolution = resolution;
                s.Ports.Add(new ServicePortOptions(port, "http") { Protocol = ServiceProtocol.Http });
            }));
}
