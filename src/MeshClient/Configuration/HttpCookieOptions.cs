namespace MeshClient.Configuration;

/// <summary>The cookie that keys consistent hashing (Istio <c>consistentHash.httpCookie</c>).</summary>
public sealed class HttpCookieOptions
{
    /// <summary>Gets or sets the cookie's name. Required.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>name</c>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the cookie's path.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>path</c>).</value>
    /// <remarks>Used only when the cookie is generated (<see cref="Ttl"/> set): the <c>Path</c> of its <c>Set-Cookie</c>.</remarks>
    public string? Path { get; set; }

    /// <summary>Gets or sets the lifetime of a generated cookie.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>ttl</c>).</value>
    /// <remarks>
    /// As Envoy does, when <c>ttl</c> is set and the request has no such cookie, MeshClient generates
    /// one, hashes it for the request (and its retries) and returns it to the caller as
    /// <c>Set-Cookie: name="value"; Max-Age=ttl; Path=path; attributes; HttpOnly</c> (whole seconds; zero gives a
    /// session cookie without <c>Max-Age</c>); sending it back keeps the caller on the same endpoint.
    /// Without <c>ttl</c>, a request without the cookie goes to a random endpoint.
    /// </remarks>
    public TimeSpan? Ttl { get; set; }

    /// <summary>Gets the attributes added to a generated cookie's <c>Set-Cookie</c>, in order, after its <c>Path</c> (Istio <c>attributes</c>).</summary>
    /// <value>Empty by default. For example <c>SameSite=Strict</c> and <c>Secure</c>; used only when the cookie is generated (<see cref="Ttl"/> set).</value>
    public IList<HttpCookieAttributeOptions> Attributes { get; } = new List<HttpCookieAttributeOptions>();
}
