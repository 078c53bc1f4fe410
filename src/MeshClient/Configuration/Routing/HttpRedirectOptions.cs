namespace MeshClient.Configuration;

/// <summary>
/// Answers the request with a redirect, in process, without an upstream attempt (Istio
/// <c>HTTPRedirect</c>). Fields not set keep the request's value.
/// </summary>
public sealed class HttpRedirectOptions
{
    /// <summary>Gets or sets the path of the redirect (replaces the whole path).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>uri</c>).</value>
    public string? Uri { get; set; }

    /// <summary>Gets or sets the authority (host) of the redirect.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>authority</c>).</value>
    public string? Authority { get; set; }

    /// <summary>Gets or sets the port of the redirect.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>port</c>).</value>
    public int? Port { get; set; }

    /// <summary>Gets or sets the scheme of the redirect (<c>http</c> or <c>https</c>).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>scheme</c>).</value>
    public string? Scheme { get; set; }

    /// <summary>Gets or sets the status code: 301, 302, 303, 307 or 308.</summary>
    /// <value>Defaults to 301 (Istio <c>redirectCode</c>).</value>
    public int RedirectCode { get; set; } = 301;
}
