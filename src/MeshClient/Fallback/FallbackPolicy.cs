using System.Collections.Frozen;
using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Fallback;

/// <summary>
/// One service's fallback settings, compiled from <see cref="FallbackOptions"/> into the snapshot; the
/// mutable per-service state (logged-once flags) lives in <see cref="FallbackCache"/>, keyed by <see cref="Service"/>.
/// </summary>
internal sealed class FallbackPolicy
{
    private readonly FrozenSet<int> _statusCodes;
    private readonly FrozenSet<string> _methods;

    public FallbackPolicy(string service, FallbackOptions options)
    {
        Service = service;
        Ttl = options.Ttl;
        MaxStale = options.MaxStale;
        OnFlags = options.OnFlags;
        MaxBodyBytes = options.MaxBodyBytes;
        MaxEntries = options.MaxEntries;
        CacheAuthorizedRequests = options.CacheAuthorizedRequests;
        _statusCodes = (options.StatusCodes.Count == 0 ? FallbackDefaults.StatusCodes : [.. options.StatusCodes]).ToFrozenSet();
        _methods = (options.Methods.Count == 0 ? FallbackDefaults.Methods : [.. options.Methods]).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        var vary = new List<string> { "Accept-Encoding" };
        foreach (var header in options.VaryHeaders)
        {
            if (!vary.Contains(header, StringComparer.OrdinalIgnoreCase))
            {
                vary.Add(header);
            }
        }

        vary.Sort(StringComparer.OrdinalIgnoreCase); // the key does not depend on the order they were listed in
        VaryHeaders = [.. vary];
    }

    /// <summary>The external service's name (metrics, logs, the cache key's prefix).</summary>
    public string Service { get; }

    public TimeSpan Ttl { get; }

    public TimeSpan MaxStale { get; }

    public MeshResponseFlags OnFlags { get; }

    public int MaxBodyBytes { get; }

    /// <summary>How many entries the service's in-memory level keeps at most.</summary>
    public int MaxEntries { get; }

    public bool CacheAuthorizedRequests { get; }

    /// <summary>The headers whose values are part of the key, sorted, <c>Accept-Encoding</c> included.</summary>
    public string[] VaryHeaders { get; }

    public bool AppliesTo(HttpMethod method) => _methods.Contains(method.Method);

    /// <summary>Whether a final outcome with <paramref name="flags"/> and <paramref name="response"/> (when one came back) serves a fallback.</summary>
    public bool Triggers(MeshResponseFlags flags, HttpResponseMessage? response) =>
        (flags & OnFlags) != 0
        || (response is not null && IsUpstreamResponse(flags) && _statusCodes.Contains((int)response.StatusCode));

    /// <summary>Whether a response with <paramref name="flags"/> came from the upstream (a delay injected before it does not count).</summary>
    public static bool IsUpstreamResponse(MeshResponseFlags flags) => (flags & ~MeshResponseFlags.DelayInjected) == 0;

    public bool VariesOn(string header)
    {
        foreach (var name in VaryHeaders)
        {
            if (string.Equals(name, header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The policies of the services that have one, by host and port like the clusters.</summary>
    public static HostTable<FallbackPolicy> BuildTable(MeshOptions options)
    {
        List<(string, int, FallbackPolicy)>? entries = null;
        foreach (var service in options.ExternalServices)
        {
            if (service.Fallback is not { } fallback)
            {
                continue;
            }

            var policy = new FallbackPolicy(service.DisplayName, fallback);
            foreach (var host in service.Hosts)
            {
                foreach (var port in service.Ports)
                {
                    (entries ??= []).Add((host.ToLowerInvariant(), port.Number, policy));
                }
            }
        }

        return entries is null ? HostTable<FallbackPolicy>.Empty : HostTable<FallbackPolicy>.Build(entries);
    }
}
