namespace MeshClient.Configuration;

/// <summary>Rewrites the request before it is sent (Istio <c>HTTPRewrite</c>).</summary>
public sealed class HttpRewriteOptions
{
    /// <summary>
    /// Gets or sets what replaces the part of the path the route matched: the prefix of a prefix
    /// match, the whole path of an exact match — and the leading <c>/</c> when the route has no path
    /// match (Envoy's <c>prefix_rewrite</c>; <c>/v1</c> turns <c>/users</c> into <c>/v1users</c>, as in
    /// Istio). The original path is sent in <c>x-envoy-original-path</c>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>uri</c>). Not with <see cref="UriRegexRewrite"/>.</value>
    public string? Uri { get; set; }

    /// <summary>Gets or sets a regular-expression rewrite of the whole path.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>uriRegexRewrite</c>).</value>
    public RegexRewriteOptions? UriRegexRewrite { get; set; }

    /// <summary>Gets or sets the authority (<c>Host</c> header) sent upstream.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>authority</c>).</value>
    public string? Authority { get; set; }
}
