using System.Collections.Concurrent;
using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Discovery;

/// <summary>The per-cluster DNS refresh on a <see cref="FakeTimeProvider"/>: TTLs, clamps, back-off, and the endpoints it feeds the cluster's writer.</summary>
[Trait("Area", "Discovery")]
public sealed class DnsDiscoveryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeDns _dns = new();
    private readonly List<Cluster> _clusters = [];

    [Fact]
    public void Strict_RefreshesAfterTheSmallestTtl()
    {
        _dns.Answer("api.test", 10, "10.0.0.1", "10.0.0.2");
        var cluster = Start(ServiceResolution.Dns);

        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443"], Authorities(cluster));
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.Dns!.NextRefreshDelay);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, _dns.Queries("api.test"));
        _time.Advance(TimeSpan.FromSeconds(1));
        WaitFor(() => cluster.Dns.Refreshes == 2);
        Assert.Equal(2, _dns.Queries("api.test"));
    }

    [Theory]
    [InlineData(0, 60)] // TTL 0: Istio's dnsRefreshRate
    [InlineData(1, 5)] // below the minimum interval: the minimum
    [InlineData(600, 300)] // above the maximum: the maximum
    public void Strict_TtlClampedToTheBounds(int ttl, int expectedSeconds)
    {
        _dns.Answer("api.test", ttl, "10.0.0.1");

        var cluster = Start(ServiceResolution.Dns, dns => dns.MaxRefreshInterval = TimeSpan.FromSeconds(300));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), cluster.Dns!.NextRefreshDelay);
    }

    [Fact]
    public void Strict_RespectTtlOff_RefreshRate()
    {
        _dns.Answer("api.test", 10, "10.0.0.1");

        var cluster = Start(ServiceResolution.Dns, dns => dns.RespectTtl = false);

        Assert.Equal(TimeSpan.FromSeconds(60), cluster.Dns!.NextRefreshDelay);
    }

    [Fact]
    public void Strict_FailedLookups_KeepTheLastGoodSet_BackOffUpToTheRefreshRate()
    {
        _dns.Answer("api.test", 30, "10.0.0.1");
        var cluster = Start(ServiceResolution.Dns);
        var endpoint = cluster.Endpoints[0];
        _dns.Fail("api.test", DnsAnswerStatus.Failure);

        var delays = new List<double>();
        var refreshes = cluster.Dns!.Refreshes;
        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 6; i++)
        {
            WaitFor(() => cluster.Dns.Refreshes == refreshes + 1);
            refreshes++;
            delays.Add(cluster.Dns.NextRefreshDelay!.Value.TotalSeconds);
            _time.Advance(cluster.Dns.NextRefreshDelay!.Value);
        }

        Assert.Equal([5, 10, 20, 40, 60, 60], delays);
        Assert.Same(endpoint, Assert.Single(cluster.Endpoints));
        Assert.False(endpoint.IsRetired);
        Assert.True(cluster.Dns.FailedLookups >= 6);

        _dns.Answer("api.test", 30, "10.0.0.1");
        _time.Advance(TimeSpan.FromSeconds(60));
        WaitFor(() => cluster.Dns.NextRefreshDelay == TimeSpan.FromSeconds(30));
        Assert.Same(endpoint, Assert.Single(cluster.Endpoints));
    }

    [Fact]
    public void Strict_NxDomain_KeepsTheLastGoodSet()
    {
        _dns.Answer("api.test", 30, "10.0.0.1");
        var cluster = Start(ServiceResolution.Dns);
        _dns.Fail("api.test", DnsAnswerStatus.NameError);

        _time.Advance(TimeSpan.FromSeconds(30));
        WaitFor(() => cluster.Dns!.FailedLookups == 1);

        Assert.Equal(["10.0.0.1:443"], Authorities(cluster));
    }

    [Fact]
    public void Strict_EmptyAnswer_EmptiesTheSet_AndRetiresTheEndpoints()
    {
        _dns.Answer("api.test", 30, "10.0.0.1");
        var cluster = Start(ServiceResolution.Dns);
        var endpoint = cluster.Endpoints[0];
        _dns.Answer("api.test", 30);

        _time.Advance(TimeSpan.FromSeconds(30));
        WaitFor(() => cluster.Dns!.Refreshes == 2);

        Assert.Empty(cluster.Endpoints);
        Assert.True(endpoint.IsRetired);
        Assert.Empty(cluster.AvailableEndpoints);
    }

    [Fact]
    public void Strict_AddressThatStays_KeepsItsEndpoint_TheOneThatLeavesIsRetiredAfterItsAttempt()
    {
        _dns.Answer("api.test", 30, "10.0.0.1", "10.0.0.2");
        var cluster = Start(ServiceResolution.Dns);
        var (stays, leaves) = (cluster.Endpoints[0], cluster.Endpoints[1]);
        var inFlight = leaves.TryStart()!;
        _dns.Answer("api.test", 30, "10.0.0.3", "10.0.0.1");

        _time.Advance(TimeSpan.FromSeconds(30));
        WaitFor(() => cluster.Dns!.Refreshes == 2); // the whole refresh: endpoints rebuilt, the leaving one retired

        Assert.Equal(["10.0.0.3:443", "10.0.0.1:443"], Authorities(cluster));
        Assert.Same(stays, cluster.Endpoints[1]);
        Assert.True(leaves.IsRetired);
        Assert.Equal(1, leaves.InFlight); // the attempt in flight finishes on the pool it acquired
        leaves.OnEnd(inFlight, MeshClient.Health.AttemptOutcome.Response(200, 0, 0));
        Assert.Equal((0, 1L), (leaves.InFlight, leaves.Successes));
    }

    [Fact]
    public void Strict_TwoEndpointNames_DuplicatesRemoved_EachOnItsPortAndWeight()
    {
        _dns.Answer("a.test", 30, "10.0.0.1", "10.0.0.2");
        _dns.Answer("b.test", 30, "10.0.0.2", "10.0.0.3");

        var cluster = Start(ServiceResolution.Dns, configure: s =>
        {
            s.Endpoints.Add(new ServiceEndpointOptions("a.test", 3));
            s.Endpoints.Add(new ServiceEndpointOptions("b.test") { Ports = { ["https"] = 8443 } });
            s.Endpoints.Add(new ServiceEndpointOptions("10.0.0.9"));
        });

        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443", "10.0.0.2:8443", "10.0.0.3:8443", "10.0.0.9:443"], Authorities(cluster));
        Assert.Equal([3, 3, 1, 1, 1], cluster.Endpoints.Select(e => e.Weight));
    }

    [Fact]
    public void Logical_OneEndpoint_FirstAddressOfTheLatestAnswer_RefreshByTheFirstTtl()
    {
        _dns.Answer("api.test", [("10.0.0.1", 20), ("10.0.0.2", 7)]);
        var cluster = Start(ServiceResolution.DnsRoundRobin);
        var endpoint = Assert.Single(cluster.Endpoints);

        Assert.Equal("api.test:443", endpoint.Authority);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), cluster.Dns!.Logical!.Current);
        Assert.Equal(TimeSpan.FromSeconds(20), cluster.Dns.NextRefreshDelay);

        _dns.Answer("api.test", 20, "10.0.0.2");
        _time.Advance(TimeSpan.FromSeconds(20));
        WaitFor(() => cluster.Dns.Refreshes == 2); // counted once the next refresh is scheduled
        Assert.Equal(IPAddress.Parse("10.0.0.2"), cluster.Dns.Logical.Current);
        Assert.Same(endpoint, Assert.Single(cluster.Endpoints));

        _dns.Answer("api.test", 20);
        _time.Advance(TimeSpan.FromSeconds(20));
        WaitFor(() => cluster.Dns.Refreshes == 3);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), cluster.Dns.Logical.Current); // an empty answer keeps the logical host
    }

    [Fact]
    public void Logical_NxDomain_KeepsTheLastAddress_BacksOff()
    {
        _dns.Answer("api.test", 20, "10.0.0.1");
        var cluster = Start(ServiceResolution.DnsRoundRobin);
        var endpoint = Assert.Single(cluster.Endpoints);
        _dns.Fail("api.test", DnsAnswerStatus.NameError);

        _time.Advance(TimeSpan.FromSeconds(20));
        WaitFor(() => cluster.Dns!.Refreshes == 2);

        Assert.Equal(1, cluster.Dns!.FailedLookups);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), cluster.Dns.Logical!.Current);
        Assert.Same(endpoint, Assert.Single(cluster.Endpoints));
        Assert.Equal(TimeSpan.FromSeconds(5), cluster.Dns.NextRefreshDelay); // the first back-off step
    }

    [Fact]
    public void Update_ChangedEndpointName_ResolvesTheNewName_KeepsAddressesThatStay()
    {
        _dns.Answer("a.test", 30, "10.0.0.1");
        _dns.Answer("b.test", 30, "10.0.0.1", "10.0.0.2");
        var cluster = Start(ServiceResolution.Dns, configure: s => s.Endpoints.Add(new ServiceEndpointOptions("a.test")));
        var endpoint = cluster.Endpoints[0];

        cluster.Update(Definition(ServiceResolution.Dns, configure: s => s.Endpoints.Add(new ServiceEndpointOptions("b.test"))));
        Assert.Same(endpoint, Assert.Single(cluster.Endpoints)); // the last answers serve until the new name resolves
        WaitFor(() => cluster.Endpoints.Length == 2);

        Assert.Same(endpoint, cluster.Endpoints[0]);
        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443"], Authorities(cluster));
    }

    [Fact]
    public void Dispose_StopsTheRefreshes()
    {
        _dns.Answer("api.test", 30, "10.0.0.1");
        var cluster = Start(ServiceResolution.Dns);

        cluster.Dispose();
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, _dns.Queries("api.test"));
    }

    public void Dispose()
    {
        foreach (var cluster in _clusters)
        {
            cluster.Dispose();
        }
    }

    private static string[] Authorities(Cluster cluster) => [.. cluster.Endpoints.Select(e => e.Authority)];

    private static void WaitFor(Func<bool> condition) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), "the refresh did not complete");

    private Cluster Start(ServiceResolution resolution, Action<DnsOptions>? dns = null, Action<ExternalServiceOptions>? configure = null)
    {
        var cluster = new Cluster(
            Definition(resolution, dns, configure),
            new ClusterServices(_time, new ClusterHandlerFactory((_, _) => new RecordingHandler()), EndpointPickerFactory.Ordered, dns: _dns));
        _clusters.Add(cluster);
        WaitFor(() => cluster.Dns!.Refreshes >= 1);
        return cluster;
    }

    private static ClusterDefinition Definition(ServiceResolution resolution, Action<DnsOptions>? dns = null, Action<ExternalServiceOptions>? configure = null)
    {
        var options = new MeshOptions();
        options.Dns.Jitter = TimeSpan.Zero;
        dns?.Invoke(options.Dns);
        var service = new ExternalServiceOptions { Name = "api.test", Resolution = resolution };
        service.Hosts.Add("api.test");
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        configure?.Invoke(service);
        options.ExternalServices.Add(service);
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        return MeshSnapshot.Build(options).Clusters[0];
    }

    /// <summary>Answers from a table; every query is counted.</summary>
    private sealed class FakeDns : IDnsLookup
    {
        private readonly ConcurrentDictionary<string, DnsAnswer> _answers = new();
        private readonly ConcurrentDictionary<string, int> _queries = new();

        public void Answer(string name, int ttl, params string[] addresses) =>
            Answer(name, [.. addresses.Select(a => (a, ttl))]);

        public void Answer(string name, (string Address, int Ttl)[] records) =>
            _answers[name] = DnsAnswer.Success(
                [.. records.Select(r => IPAddress.Parse(r.Address))],
                records.Length == 0 ? null : TimeSpan.FromSeconds(records.Min(r => r.Ttl)),
                records.Length == 0 ? null : TimeSpan.FromSeconds(records[0].Ttl));

        public void Fail(string name, DnsAnswerStatus status) => _answers[name] = DnsAnswer.Failed(status, "test failure");

        public int Queries(string name) => _queries.GetValueOrDefault(name);

        public Task<DnsAnswer> ResolveAsync(string host, DnsSettings settings, CancellationToken cancellationToken)
        {
            _queries.AddOrUpdate(host, 1, static (_, n) => n + 1);
            return Task.FromResult(_answers.TryGetValue(host, out var answer) ? answer : DnsAnswer.Failed(DnsAnswerStatus.NameError, "not in the table"));
        }
    }
}
