using MeshClient.Configuration;

namespace MeshClient.Connections;

/// <summary>
/// The admission limits of one cluster (Envoy's circuit-breaker thresholds, Istio
/// <c>connectionPool</c>), compared by value. 0 means unlimited, as Istio's "only values above 0 override".
/// </summary>
internal sealed record ConnectionLimits
{
    public static ConnectionLimits None { get; } = new();

    /// <summary>Connection slots: HTTP/1.1 requests sent at once (Istio <c>tcp.maxConnections</c>).</summary>
    public int MaxConnections { get; init; }

    /// <summary>Requests waiting for a connection slot (Istio <c>http.http1MaxPendingRequests</c>).</summary>
    public int MaxPendingRequests { get; init; }

    /// <summary>Requests in flight, sent or waiting (Istio <c>http.http2MaxRequests</c>).</summary>
    public int MaxRequests { get; init; }

    /// <summary>Retries in flight, always for the whole cluster (Istio <c>http.maxRetries</c>).</summary>
    public int MaxRetries { get; init; }

    public ConnectionPoolScope Scope { get; init; }

    /// <summary>Whether attempts are admitted at all (a request limit or a connection limit is set); without one an attempt pays nothing.</summary>
    public bool AdmitsAttempts => MaxConnections > 0 || MaxRequests > 0;

    public static ConnectionLimits From(ConnectionPoolOptions? options)
    {
        if (options is null)
        {
            return None;
        }

        var limits = new ConnectionLimits
        {
            MaxConnections = options.Tcp?.MaxConnections ?? 0,
            MaxPendingRequests = options.Http?.Http1MaxPendingRequests ?? 0,
            MaxRequests = options.Http?.Http2MaxRequests ?? 0,
            MaxRetries = options.Http?.MaxRetries ?? 0,
            Scope = options.Scope,
        };
        return limits == None ? None : limits;
    }
}
