namespace MeshClient.Configuration;

/// <summary>
/// An HTTP forward proxy (a corporate proxy, squid, tinyproxy) that calls leave through: <c>http://</c>
/// requests are sent to it in absolute form, <c>https://</c> requests — and requests the mesh
/// originates TLS for — through a <c>CONNECT</c> tunnel, the TLS inside it checked against the external
/// host, never the proxy. Set it for the whole mesh (<see cref="MeshOptions.EgressProxy"/>) or for one
/// service (<see cref="ExternalServiceOptions.EgressProxy"/>). A MeshClient extension (Istio has no such
/// field; in YAML, the <c>meshclient.io/v1alpha1</c> kind <c>EgressProxy</c>).
/// </summary>
/// <remarks>
/// With a proxy, the service's endpoints are the proxy: load balancing, connection-pool limits, outlier
/// detection and the endpoint in results and failures (<c>UF</c> for a refused or failed
/// <c>CONNECT</c>, a <c>407</c>) are the proxy's, and the proxy resolves the external host — the mesh
/// never looks it up. The service's own endpoints are not used; a <c>targetPort</c> is the port the
/// proxy connects to.
/// </remarks>
public sealed class EgressProxyOptions
{
    /// <summary>Gets or sets the proxy's address, an absolute <c>http://</c> URI with host and port and nothing else.</summary>
    /// <value>Required, for example <c>http://proxy.corp.example:3128</c>. Credentials never go in the URI.</value>
    public string? Address { get; set; }

    /// <summary>Gets or sets the user name sent to a proxy that asks for authentication (<c>407</c>, Basic).</summary>
    /// <value>Defaults to <see langword="null"/>: no credentials. Requires <see cref="Password"/>.</value>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the password sent with <see cref="UserName"/>. It is never logged nor shown in messages.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Password { get; set; }

    /// <summary>
    /// Gets or sets the directory of the credentials instead of <see cref="UserName"/> and <see cref="Password"/>:
    /// files <c>username</c> and <c>password</c> (a Kubernetes <c>kubernetes.io/basic-auth</c> secret mounted
    /// as a volume), an absolute path or a name under <see cref="MeshOptions.CredentialsDirectory"/>. Read
    /// when the configuration loads.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CredentialName { get; set; }

    /// <summary>
    /// Gets the hosts that do not go through the mesh-wide proxy, as <c>NO_PROXY</c>: <c>example.com</c>
    /// matches it and its subdomains, <c>.example.com</c> or <c>*.example.com</c> only the subdomains,
    /// <c>*</c> every host. Only for <see cref="MeshOptions.EgressProxy"/>.
    /// </summary>
    /// <value>Empty by default. Services located <see cref="ServiceLocation.MeshInternal"/> never use the mesh-wide proxy.</value>
    public IList<string> NoProxy { get; } = new List<string>();
}
