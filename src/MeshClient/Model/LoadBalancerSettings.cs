using MeshClient.Configuration;

namespace MeshClient.Model;

/// <summary>
/// The validated load-balancing settings of a cluster, as its picker needs them: immutable, compared
/// by value (a reload with the same settings keeps the cluster as it is).
/// </summary>
internal sealed record LoadBalancerSettings
{
    /// <summary>Least request with Envoy's defaults, the default policy.</summary>
    public static LoadBalancerSettings Default { get; } = new();

    /// <summary>The algorithm to run; <see cref="LoadBalancerAlgorithm.Unspecified"/> is resolved to least request here.</summary>
    public LoadBalancerAlgorithm Algorithm { get; init; } = LoadBalancerAlgorithm.LeastRequest;

    public int ChoiceCount { get; init; } = LoadBalancerDefaults.ChoiceCount;

    public double ActiveRequestBias { get; init; } = LoadBalancerDefaults.ActiveRequestBias;

    public TimeSpan EwmaDecay { get; init; } = LoadBalancerDefaults.PeakEwmaDecay;

    public TimeSpan EwmaDefaultRtt { get; init; } = LoadBalancerDefaults.PeakEwmaDefaultRtt;

    /// <summary>The consistent-hash key, or <see langword="null"/> when the policy is not consistent hashing.</summary>
    public HashKey? Hash { get; init; }

    /// <summary>Whether the hash table is Maglev (otherwise a ring).</summary>
    public bool Maglev { get; init; }

    public int MinimumRingSize { get; init; } = LoadBalancerDefaults.MinimumRingSize;

    public int MaglevTableSize { get; init; } = LoadBalancerDefaults.MaglevTableSize;

    /// <summary>Slow start for round robin and least request, or <see langword="null"/> when off.</summary>
    public SlowStartSettings? SlowStart { get; init; }

    /// <summary>The settings of validated options (<see langword="null"/> options are the defaults).</summary>
    public static LoadBalancerSettings From(LoadBalancerOptions? options)
    {
        if (options is null)
        {
            return Default;
        }

        var algorithm = options.Simple == LoadBalancerAlgorithm.Unspecified ? LoadBalancerAlgorithm.LeastRequest : options.Simple;
        var hash = options.ConsistentHash;
        return new LoadBalancerSettings
        {
            Algorithm = algorithm,
            ChoiceCount = options.LeastRequest?.ChoiceCount ?? LoadBalancerDefaults.ChoiceCount,
            ActiveRequestBias = options.LeastRequest?.ActiveRequestBias ?? LoadBalancerDefaults.ActiveRequestBias,
            EwmaDecay = options.PeakEwma?.Decay ?? LoadBalancerDefaults.PeakEwmaDecay,
            EwmaDefaultRtt = options.PeakEwma?.DefaultRtt ?? LoadBalancerDefaults.PeakEwmaDefaultRtt,
            Hash = hash is null ? null : HashKeyOf(hash),
            Maglev = hash?.Maglev is not null,
            MinimumRingSize = hash?.RingHash?.MinimumRingSize ?? LoadBalancerDefaults.MinimumRingSize,
            MaglevTableSize = hash?.Maglev?.TableSize ?? LoadBalancerDefaults.MaglevTableSize,
            SlowStart = options.Warmup is { } warmup && hash is null && algorithm is LoadBalancerAlgorithm.RoundRobin or LoadBalancerAlgorithm.LeastRequest
                ? new SlowStartSettings(warmup.Duration, warmup.MinimumPercent, warmup.Aggression)
                : null,
        };
    }

    private static HashKey HashKeyOf(ConsistentHashOptions hash)
    {
        if (!string.IsNullOrEmpty(hash.HttpHeaderName))
        {
            return new HashKey(HashKeySource.Header, hash.HttpHeaderName);
        }

        if (hash.HttpCookie?.Name is { Length: > 0 } cookie)
        {
            return new HashKey(HashKeySource.Cookie, cookie, hash.HttpCookie.Path, hash.HttpCookie.Ttl, CookieAttributes(hash.HttpCookie.Attributes));
        }

        if (!string.IsNullOrEmpty(hash.HttpQueryParameterName))
        {
            return new HashKey(HashKeySource.QueryParameter, hash.HttpQueryParameterName);
        }

        return new HashKey(HashKeySource.None, string.Empty);
    }

    /// <summary>The attributes as Envoy appends them to a generated cookie (<c>; name=value</c>, or <c>; name</c> without a value), or <see langword="null"/>.</summary>
    private static string? CookieAttributes(IList<HttpCookieAttributeOptions> attributes)
    {
        if (attributes.Count == 0)
        {
            return null;
        }

        var text = new System.Text.StringBuilder();
        foreach (var attribute in attributes)
        {
            text.Append("; ").Append(attribute.Name);
            if (!string.IsNullOrEmpty(attribute.Value))
            {
                text.Append('=').Append(attribute.Value);
            }
        }

        return text.ToString();
    }
}

/// <summary>
/// Where a consistent-hash key comes from; <see cref="HashKeySource.None"/> (source IP) hashes nothing, so picks are random.
/// A cookie key with a <see cref="CookieTtl"/> is generated when a request has none (Envoy's hash policy
/// cookie <c>ttl</c>), and returned as a <c>Set-Cookie</c> with <see cref="CookiePath"/> and <see cref="CookieAttributes"/>.
/// </summary>
internal sealed record HashKey(HashKeySource Source, string Name, string? CookiePath = null, TimeSpan? CookieTtl = null, string? CookieAttributes = null)
{
    /// <summary>Whether a request without the cookie gets one generated (Istio <c>httpCookie.ttl</c> set).</summary>
    public bool GeneratesCookie => Source == HashKeySource.Cookie && CookieTtl is not null;
}

/// <summary>The part of a request a consistent-hash key is read from.</summary>
internal enum HashKeySource
{
    /// <summary>No key (Istio <c>useSourceIp</c>, not applicable in process): random picks.</summary>
    None,

    /// <summary>A request header (Istio <c>httpHeaderName</c>).</summary>
    Header,

    /// <summary>A cookie (Istio <c>httpCookie.name</c>).</summary>
    Cookie,

    /// <summary>A query parameter (Istio <c>httpQueryParameterName</c>).</summary>
    QueryParameter,
}

/// <summary>Validated <see cref="WarmupOptions"/>: the window, the smallest share in percent, the aggression.</summary>
internal sealed record SlowStartSettings(TimeSpan Window, double MinimumPercent, double Aggression);
