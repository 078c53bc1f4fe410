namespace MeshClient.Configuration;

/// <summary>
/// Session affinity by a hash of the request (Istio <c>loadBalancer.consistentHash</c>): requests
/// with the same key go to the same endpoint while it is available, and removing one of N endpoints
/// moves only about 1/N of the keys.
/// </summary>
/// <remarks>
/// Set exactly one key: <see cref="HttpHeaderName"/>, <see cref="HttpCookie"/>,
/// <see cref="HttpQueryParameterName"/> or <see cref="UseSourceIp"/>. A request without the key is
/// sent to a random endpoint (as Envoy does when a request yields no hash). The table is a ring
/// (<see cref="RingHash"/>, the default) or Maglev (<see cref="Maglev"/>), not both.
/// </remarks>
public sealed class ConsistentHashOptions
{
    /// <summary>Gets or sets the request header whose value is the key.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>httpHeaderName</c>).</value>
    public string? HttpHeaderName { get; set; }

    /// <summary>Gets or sets the cookie whose value is the key.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>httpCookie</c>).</value>
    public HttpCookieOptions? HttpCookie { get; set; }

    /// <summary>Gets or sets the query parameter whose (raw, undecoded) value is the key.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>httpQueryParameterName</c>).</value>
    public string? HttpQueryParameterName { get; set; }

    /// <summary>Gets or sets whether the source IP is the key.</summary>
    /// <value>Defaults to <see langword="false"/> (Istio <c>useSourceIp</c>).</value>
    /// <remarks>
    /// Not applicable in process: every request of an application has the same source, so the key
    /// would send all of them to one endpoint. MeshClient accepts it with a warning and balances at random.
    /// </remarks>
    public bool UseSourceIp { get; set; }

    /// <summary>Gets or sets the ring-hash table settings (Envoy <c>RING_HASH</c>, the default table).</summary>
    /// <value>Defaults to <see langword="null"/>: a ring of at least 1024 entries (Istio <c>ringHash</c>).</value>
    public RingHashOptions? RingHash { get; set; }

    /// <summary>Gets or sets the Maglev table settings (Envoy <c>MAGLEV</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: ring hash is used (Istio <c>maglev</c>).</value>
    public MaglevOptions? Maglev { get; set; }
}
