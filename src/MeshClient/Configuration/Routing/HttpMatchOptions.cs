namespace MeshClient.Configuration;

/// <summary>
/// One condition block of a route (an Istio <c>HTTPMatchRequest</c>): every field that is set must
/// hold. A route with several blocks matches when any block does.
/// </summary>
public sealed class HttpMatchOptions
{
    /// <summary>Gets or sets a name for the block, for logs.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>name</c>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the match on the request path (without the query string).</summary>
    /// <value>Defaults to <see langword="null"/>: any path (Istio <c>uri</c>). Case-sensitive unless <see cref="IgnoreUriCase"/>.</value>
    public StringMatchOptions? Uri { get; set; }

    /// <summary>Gets or sets whether <see cref="Uri"/> exact and prefix matches ignore case.</summary>
    /// <value>Defaults to <see langword="false"/> (Istio <c>ignoreUriCase</c>).</value>
    public bool IgnoreUriCase { get; set; }

    /// <summary>Gets or sets the match on the scheme (<c>http</c>, <c>https</c>).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>scheme</c>).</value>
    public StringMatchOptions? Scheme { get; set; }

    /// <summary>Gets or sets the match on the method (<c>GET</c>, <c>POST</c>).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>method</c>).</value>
    public StringMatchOptions? Method { get; set; }

    /// <summary>Gets or sets the match on the authority (the <c>Host</c> header, with the port if not the default).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>authority</c>).</value>
    public StringMatchOptions? Authority { get; set; }

    /// <summary>
    /// Gets the request headers that must match, by lower-case name; a match with no value set
    /// only requires the header to be present.
    /// </summary>
    /// <value>Empty by default (Istio <c>headers</c>).</value>
    public IDictionary<string, StringMatchOptions> Headers { get; } = new Dictionary<string, StringMatchOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the request headers that must <em>not</em> match (a missing header counts as empty, except for a presence match).</summary>
    /// <value>Empty by default (Istio <c>withoutHeaders</c>).</value>
    public IDictionary<string, StringMatchOptions> WithoutHeaders { get; } = new Dictionary<string, StringMatchOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the query parameters that must match (exact or regex on the whole value; none set = present).</summary>
    /// <value>Empty by default (Istio <c>queryParams</c>).</value>
    public IDictionary<string, StringMatchOptions> QueryParams { get; } = new Dictionary<string, StringMatchOptions>(StringComparer.Ordinal);

    /// <summary>Gets or sets the port the request must be sent to.</summary>
    /// <value>Defaults to <see langword="null"/>: any port of the service (Istio <c>port</c>).</value>
    public int? Port { get; set; }
}
