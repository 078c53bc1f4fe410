namespace MeshClient.Configuration;

/// <summary>
/// Fallback to cache for one external service (a MeshClient extension, no Istio field): successful
/// responses are kept in <c>HybridCache</c> (in memory, plus the registered <c>IDistributedCache</c> such
/// as Redis), and when the service fails after the route's retries, the last good response is served
/// instead of the error, marked with <c>x-mesh-fallback: stale</c> and <c>Age</c>.
/// </summary>
/// <remarks>
/// Only requests whose method is in <see cref="Methods"/> take part. Requests with <c>Authorization</c> or
/// <c>Cookie</c> headers are neither cached nor served unless <see cref="CacheAuthorizedRequests"/> is set, and
/// then their key includes a hash of those headers. Responses with <c>Cache-Control: no-store</c> or
/// <c>private</c>, <c>Set-Cookie</c>, <c>Vary: *</c> or a <c>Vary</c> header not listed in
/// <see cref="VaryHeaders"/> are not cached. In YAML: <c>kind: FallbackPolicy</c> (<c>meshclient.io/v1alpha1</c>).
/// </remarks>
public sealed class FallbackOptions
{
    /// <summary>Gets or sets how long a cached response is fresh.</summary>
    /// <value>
    /// Defaults to 5 minutes (YAML <c>ttl</c>). A response's <c>Cache-Control: max-age</c> shortens it when lower
    /// (<c>no-cache</c> counts as <c>max-age=0</c>).
    /// </value>
    public TimeSpan Ttl { get; set; } = FallbackDefaults.Ttl;

    /// <summary>Gets or sets how long after it stops being fresh a cached response may still be served when the service fails.</summary>
    /// <value>
    /// Defaults to 1 hour (YAML <c>maxStale</c>). A response's <c>Cache-Control: stale-if-error</c> replaces it
    /// when present. The entry leaves the cache at <see cref="Ttl"/> plus this window.
    /// </value>
    public TimeSpan MaxStale { get; set; } = FallbackDefaults.MaxStale;

    /// <summary>Gets or sets the Envoy response flags that serve a fallback when the route's final outcome has one of them.</summary>
    /// <value>
    /// Defaults to <c>UH</c>, <c>UF</c>, <c>UO</c>, <c>UT</c>, <c>URX</c>, <c>UC</c> and <c>DF</c> (YAML <c>onFlags</c>, as Envoy's short names).
    /// <see cref="MeshResponseFlags.None"/> serves on no flag.
    /// </value>
    public MeshResponseFlags OnFlags { get; set; } = FallbackDefaults.OnFlags;

    /// <summary>Gets the upstream status codes that serve a fallback (after retries), for responses the upstream itself sent.</summary>
    /// <value>Empty by default, which means 502, 503 and 504 (YAML <c>statusCodes</c>).</value>
    public IList<int> StatusCodes { get; } = new List<int>();

    /// <summary>Gets the request methods whose responses are cached and served.</summary>
    /// <value>
    /// Empty by default, which means <c>GET</c> and <c>HEAD</c> (YAML <c>methods</c>). Other methods are an explicit
    /// opt-in: their key does not include the request body.
    /// </value>
    public IList<string> Methods { get; } = new List<string>();

    /// <summary>Gets the request headers whose values are part of the cache key (besides <c>Accept-Encoding</c>, always part of it).</summary>
    /// <value>Empty by default (YAML <c>varyHeaders</c>).</value>
    public IList<string> VaryHeaders { get; } = new List<string>();

    /// <summary>Gets or sets the largest response body that is cached; larger responses are not cached (logged once per service).</summary>
    /// <value>Defaults to 1 MiB (YAML <c>maxBodyBytes</c>).</value>
    public int MaxBodyBytes { get; set; } = FallbackDefaults.MaxBodyBytes;

    /// <summary>
    /// Gets or sets how many responses of this service the in-memory level (L1) keeps at most; when it is full, the
    /// least recently used entries (expired ones first) are evicted. The shared level (<c>IDistributedCache</c>,
    /// such as Redis) is not bounded by MeshClient: its own eviction policy applies.
    /// </summary>
    /// <value>
    /// Defaults to 1000 (YAML <c>maxEntries</c>); at least 1. The memory it can hold is about
    /// <see cref="MaxEntries"/> × (<see cref="MaxBodyBytes"/> + headers).
    /// </value>
    public int MaxEntries { get; set; } = FallbackDefaults.MaxEntries;

    /// <summary>
    /// Gets or sets whether requests with <c>Authorization</c> or <c>Cookie</c> headers are cached and served; their key
    /// then includes a hash of those headers, so that one caller's response is never served to another.
    /// </summary>
    /// <value>Defaults to <see langword="false"/> (YAML <c>cacheAuthorizedRequests</c>).</value>
    public bool CacheAuthorizedRequests { get; set; }
}
