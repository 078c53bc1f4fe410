using MeshClient.Model;

namespace MeshClient.Discovery;

/// <summary>
/// A live endpoint of a cluster: its definition plus the counters that outlive handler rotation
/// and reloads that keep the endpoint.
/// </summary>
internal sealed class MeshEndpoint
{
    private static readonly UriCreationOptions RewriteOptions = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly string _httpPrefix;
    private readonly string _httpsPrefix;
    private long _requests;
    private long _successes;
    private long _failures;
    private int _inFlight;

    public MeshEndpoint(EndpointDefinition definition)
    {
        Definition = definition;
        _httpPrefix = "http://" + definition.Authority;
        _httpsPrefix = "https://" + definition.Authority;
    }

    public EndpointDefinition Definition { get; }

    public string Authority => Definition.Authority;

    public int Weight => Definition.Weight;

    public long Requests => Interlocked.Read(ref _requests);

    public long Successes => Interlocked.Read(ref _successes);

    public long Failures => Interlocked.Read(ref _failures);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// The request URI with its authority replaced by this endpoint's address; path and query kept.
    /// The caller keeps the logical host in the Host header, so TLS SNI and certificate checks use it.
    /// </summary>
    public Uri Rewrite(Uri original)
    {
        var prefix = string.Equals(original.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) ? _httpsPrefix
            : string.Equals(original.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) ? _httpPrefix
            : original.Scheme + "://" + Authority;
        // The path and query come from a Uri that already canonicalized them: parse them as they are.
        return new Uri(string.Concat(prefix, original.PathAndQuery), in RewriteOptions);
    }

    public void OnStart()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
    }

    public void OnEnd(bool success)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref success ? ref _successes : ref _failures);
    }
}
