using System.Net;
using MeshClient.Configuration;

namespace MeshClient.Discovery;

/// <summary>The validated <see cref="DnsOptions"/> of one snapshot, immutable and comparable (a change rebuilds the DNS clusters' schedules).</summary>
internal sealed class DnsSettings : IEquatable<DnsSettings>
{
    public static DnsSettings Default { get; } = From(new DnsOptions());

    private DnsSettings(IPEndPoint[] nameServers, DnsOptions options)
    {
        NameServers = nameServers;
        RefreshRate = options.RefreshRate;
        RespectTtl = options.RespectTtl;
        MinRefreshInterval = options.MinRefreshInterval;
        MaxRefreshInterval = options.MaxRefreshInterval;
        Jitter = options.Jitter;
        LookupFamily = options.LookupFamily;
        QueryTimeout = options.QueryTimeout;
        FirstResolutionTimeout = options.FirstResolutionTimeout;
        MaxDynamicHosts = options.MaxDynamicHosts;
    }

    /// <summary>The name servers to query; empty for the system's.</summary>
    public IPEndPoint[] NameServers { get; }

    public TimeSpan RefreshRate { get; }

    public bool RespectTtl { get; }

    public TimeSpan MinRefreshInterval { get; }

    public TimeSpan? MaxRefreshInterval { get; }

    public TimeSpan Jitter { get; }

    public DnsLookupFamily LookupFamily { get; }

    public TimeSpan QueryTimeout { get; }

    public TimeSpan FirstResolutionTimeout { get; }

    public int MaxDynamicHosts { get; }

    /// <summary>Settings from options that passed validation.</summary>
    public static DnsSettings From(DnsOptions options)
    {
        var servers = new IPEndPoint[options.NameServers.Count];
        for (var i = 0; i < servers.Length; i++)
        {
            if (!DnsOptionsValidator.TryParseNameServer(options.NameServers[i], out servers[i]))
            {
                throw new ArgumentException($"dns.nameServers[{i}] is not a name server (validation should have rejected it).", nameof(options));
            }
        }

        return new DnsSettings(servers, options);
    }

    /// <summary>When a name is resolved again after a successful answer whose TTL is <paramref name="ttl"/> (<see langword="null"/>: no record).</summary>
    public TimeSpan NextRefresh(TimeSpan? ttl)
    {
        var delay = RespectTtl && ttl is { } t && t > TimeSpan.Zero ? t : RefreshRate;
        if (delay < MinRefreshInterval)
        {
            delay = MinRefreshInterval;
        }

        return MaxRefreshInterval is { } max && delay > max ? max : delay;
    }

    /// <summary>The back-off after <paramref name="failures"/> failed lookups in a row: from the minimum interval, doubling, up to the refresh rate.</summary>
    public TimeSpan Backoff(int failures)
    {
        var delay = MinRefreshInterval;
        for (var i = 1; i < failures && delay < RefreshRate; i++)
        {
            delay += delay;
        }

        return delay > RefreshRate ? RefreshRate : delay;
    }

    public bool Equals(DnsSettings? other) =>
        other is not null
        && NameServers.AsSpan().SequenceEqual(other.NameServers)
        && RefreshRate == other.RefreshRate
        && RespectTtl == other.RespectTtl
        && MinRefreshInterval == other.MinRefreshInterval
        && MaxRefreshInterval == other.MaxRefreshInterval
        && Jitter == other.Jitter
        && LookupFamily == other.LookupFamily
        && QueryTimeout == other.QueryTimeout
        && FirstResolutionTimeout == other.FirstResolutionTimeout
        && MaxDynamicHosts == other.MaxDynamicHosts;

    public override bool Equals(object? obj) => Equals(obj as DnsSettings);

    public override int GetHashCode() => HashCode.Combine(NameServers.Length, RefreshRate, MinRefreshInterval, LookupFamily);
}
