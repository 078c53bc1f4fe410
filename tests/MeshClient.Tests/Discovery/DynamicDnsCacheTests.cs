using System.Net;
using System.Net.Sockets;
using MeshClient.Configuration;
using MeshClient.Discovery;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Discovery;

/// <summary>DYNAMIC_DNS's cache of requested hosts: TTL, LRU bound, failures.</summary>
[Trait("Area", "Discovery")]
public sealed class DynamicDnsCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<string, DnsAnswer> _answers = [];
    private readonly List<string> _queries = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_CachedForTheTtl_ThenResolvedAgain()
    {
        var cache = Cache();
        Answer("a.svc.test", 30, "10.0.0.1");

        Assert.Equal(IPAddress.Parse("10.0.0.1"), await cache.GetAsync("a.svc.test", Ct));
        Answer("a.svc.test", 30, "10.0.0.2");
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), await cache.GetAsync("a.svc.test", Ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(IPAddress.Parse("10.0.0.2"), await cache.GetAsync("a.svc.test", Ct));

        Assert.Equal(["a.svc.test", "a.svc.test"], _queries);
    }

    [Fact]
    public async Task Get_BeyondMaxHosts_LeastRecentlyUsedForgotten()
    {
        var cache = Cache(o => o.MaxDynamicHosts = 2);
        Answer("a.svc.test", 30, "10.0.0.1");
        Answer("b.svc.test", 30, "10.0.0.2");
        Answer("c.svc.test", 30, "10.0.0.3");

        await cache.GetAsync("a.svc.test", Ct);
        await cache.GetAsync("b.svc.test", Ct);
        await cache.GetAsync("a.svc.test", Ct); // a is now the most recent
        await cache.GetAsync("c.svc.test", Ct);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains("a.svc.test"));
        Assert.False(cache.Contains("b.svc.test"));
        Assert.True(cache.Contains("c.svc.test"));
    }

    [Fact]
    public async Task Get_FailureAfterASuccess_KeepsTheStaleAddress_NeverResolvedIsHostNotFound()
    {
        var cache = Cache();
        Answer("a.svc.test", 30, "10.0.0.1");
        await cache.GetAsync("a.svc.test", Ct);
        _answers["a.svc.test"] = DnsAnswer.Failed(DnsAnswerStatus.Failure, "SERVFAIL");
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(IPAddress.Parse("10.0.0.1"), await cache.GetAsync("a.svc.test", Ct));
        var error = await Assert.ThrowsAsync<SocketException>(async () => await cache.GetAsync("missing.svc.test", Ct));
        Assert.Equal(SocketError.HostNotFound, error.SocketErrorCode);
    }

    [Fact]
    public async Task Get_NxDomainAfterASuccess_KeepsTheStaleAddress()
    {
        var cache = Cache();
        Answer("a.svc.test", 30, "10.0.0.1");
        await cache.GetAsync("a.svc.test", Ct);
        _answers["a.svc.test"] = DnsAnswer.Failed(DnsAnswerStatus.NameError, "NXDOMAIN");
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(IPAddress.Parse("10.0.0.1"), await cache.GetAsync("a.svc.test", Ct));
        Assert.True(cache.Contains("a.svc.test"));
    }

    private DynamicDnsCache Cache(Action<DnsOptions>? configure = null)
    {
        var options = new DnsOptions { Jitter = TimeSpan.Zero };
        configure?.Invoke(options);
        return new DynamicDnsCache(new Lookup(this), _time, DnsSettings.From(options));
    }

    private void Answer(string name, int ttl, params string[] addresses) =>
        _answers[name] = DnsAnswer.Success([.. addresses.Select(IPAddress.Parse)], TimeSpan.FromSeconds(ttl), TimeSpan.FromSeconds(ttl));

    private sealed class Lookup(DynamicDnsCacheTests test) : IDnsLookup
    {
        public Task<DnsAnswer> ResolveAsync(string host, DnsSettings settings, CancellationToken cancellationToken)
        {
            lock (test._queries)
            {
                test._queries.Add(host);
            }

            return Task.FromResult(test._answers.TryGetValue(host, out var answer) ? answer : DnsAnswer.Failed(DnsAnswerStatus.NameError, "NXDOMAIN"));
        }
    }
}
