namespace MeshClient.Configuration;

/// <summary>
/// Answers the request with a redirect, in process, without an upstream attempt (Istio
/// <c>HTTPRedirect</c>). Fields not set keep the request's value.
/// </summary>
public sealed class HttpRedirectOptions
{
    /// <summary>Gets or sets the path of the redirect (replaces the whole path).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>uri</c>). Not with <see cref="PrefixRewrite"/>.</value>
    public string? Uri { get; set; }

    /// <summary>
    /// Gets or sets what replaces the part of the path the route matched: the prefix of a prefix match, the
    /// whole path of an exact or regex match, and <c>/</c> when the route does not match on the path —
    /// as Envoy's <c>prefix_rewrite</c>, and as <see cref="HttpRewriteOptions.Uri"/> does for a request that is sent.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>prefixRewrite</c>). Not with <see cref="Uri"/>.</value>
    public string? PrefixRewrite { get; set; }

    /// <summary>Gets or sets the authority (host) of the redirect.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>authority</c>).</value>
    public string? Authority { get; set; }

    /// <summary>Gets or sets the port of the redirect.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>port</c>). Not with <see cref="DerivePort"/>.</value>
    public int? Port { get; set; }

    /// <summary>
    /// Gets or sets how the redirect's port is chosen when <see cref="Port"/> is not set. When neither is
    /// set, the request's port is kept if it is not its scheme's default and neither the scheme nor the
    /// authority changes; otherwise the new scheme's default port is used.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>derivePort</c>).</value>
    public RedirectPortSelection? DerivePort { get; set; }

    /// <summary>Gets or sets the scheme of the redirect (<c>http</c> or <c>https</c>).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>scheme</c>).</value>
    public string? Scheme { get; set; }

    /// <summary>Gets or sets the status code: 301, 302, 303, 307 or 308.</summary>
    /// <value>Defaults to 301 (Istio <c>redirectCode</c>).</value>
    public int RedirectCode { get; set; } = 301;
}
