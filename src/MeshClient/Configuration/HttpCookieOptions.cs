namespace MeshClient.Configuration;

/// <summary>The cookie that keys consistent hashing (Istio <c>consistentHash.httpCookie</c>).</summary>
public sealed class HttpCookieOptions
{
    /// <summary>Gets or sets the cookie's name. Required.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>name</c>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the cookie's path.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>path</c>).</value>
    /// <remarks>Used only when the cookie is generated, which MeshClient does not do yet.</remarks>
    public string? Path { get; set; }

    /// <summary>Gets or sets the lifetime of a generated cookie.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>ttl</c>).</value>
    /// <remarks>
    /// Envoy generates the cookie when <c>ttl</c> is set and the request has none. MeshClient does not
    /// generate it yet (a warning says so): a request without the cookie goes to a random endpoint.
    /// </remarks>
    public TimeSpan? Ttl { get; set; }
}
