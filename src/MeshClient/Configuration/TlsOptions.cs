namespace MeshClient.Configuration;

/// <summary>
/// TLS to a service's endpoints (Istio <c>DestinationRule.trafficPolicy.tls</c>, <c>ClientTLSSettings</c>):
/// TLS origination for plain-HTTP calls, the server certificate's CA and names, the SNI and a client
/// certificate. Certificate files are PEM; they are watched and reloaded without a restart.
/// </summary>
/// <remarks>
/// Secure by default: the server certificate is always checked (against <see cref="CaCertificates"/>,
/// or the OS trust store) and against <see cref="SubjectAltNames"/> (or the service's
/// <see cref="ExternalServiceOptions.SubjectAltNames"/>, or the host name) unless
/// <see cref="InsecureSkipVerify"/> is set. File contents (keys, certificates) never appear in logs,
/// exceptions or <see cref="object.ToString"/>.
/// </remarks>
public sealed class TlsOptions
{
    /// <summary>Gets or sets the TLS mode.</summary>
    /// <value>Defaults to <see cref="TlsMode.Disable"/> (Istio <c>mode</c>).</value>
    public TlsMode Mode { get; set; }

    /// <summary>Gets or sets the path of the PEM client certificate (chain) presented to the server.</summary>
    /// <value>Defaults to <see langword="null"/>; required for <see cref="TlsMode.Mutual"/> unless <see cref="CredentialName"/> is set (Istio <c>clientCertificate</c>).</value>
    public string? ClientCertificate { get; set; }

    /// <summary>Gets or sets the path of the PEM private key of <see cref="ClientCertificate"/> (PKCS#8, PKCS#1 or SEC1; not encrypted).</summary>
    /// <value>Defaults to <see langword="null"/>; required with <see cref="ClientCertificate"/> (Istio <c>privateKey</c>).</value>
    public string? PrivateKey { get; set; }

    /// <summary>
    /// Gets or sets the path of the PEM CA certificates the server certificate must chain to; only
    /// they are trusted (not the OS store).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the OS trust store, as Istio's <c>system</c> default (Istio <c>caCertificates</c>).</value>
    public string? CaCertificates { get; set; }

    /// <summary>Gets or sets the path of a PEM CRL (certificate revocation list); a server certificate it lists is rejected.</summary>
    /// <value>Defaults to <see langword="null"/>: no CRL check (Istio <c>caCrl</c>).</value>
    public string? CaCrl { get; set; }

    /// <summary>
    /// Gets or sets the name of a credential holding the client certificate, key, CA and CRL, in the
    /// layout of a Kubernetes TLS secret mounted as a directory: <c>tls.crt</c>, <c>tls.key</c>,
    /// <c>ca.crt</c> (optional) and <c>ca.crl</c> (optional). An absolute path is that directory; a
    /// name is a directory under <see cref="MeshOptions.CredentialsDirectory"/>. With an
    /// <see cref="IMeshCredentialProvider"/> registered (<c>AddMesh().AddCredentialProvider&lt;T&gt;()</c>),
    /// it is the name that provider resolves.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>credentialName</c>; exclusive with the file fields).</value>
    public string? CredentialName { get; set; }

    /// <summary>
    /// Gets the names the server certificate must carry (exact match of a DNS, IP or URI subject
    /// alternative name); any one of them is enough.
    /// </summary>
    /// <value>
    /// Empty by default (Istio <c>subjectAltNames</c>): then the service's
    /// <see cref="ExternalServiceOptions.SubjectAltNames"/>, else the requested host name (Envoy's auto SAN validation).
    /// </value>
    public IList<string> SubjectAltNames { get; } = new List<string>();

    /// <summary>Gets or sets the server name sent in the TLS handshake (SNI).</summary>
    /// <value>Defaults to <see langword="null"/>: the requested host (Istio <c>sni</c>).</value>
    /// <remarks>
    /// Only TLS the mesh originates (a plain <c>http://</c> request) can send another SNI than the host;
    /// an <c>https://</c> request's own TLS always sends the host (<see cref="SocketsHttpHandler"/> takes it from the request).
    /// </remarks>
    public string? Sni { get; set; }

    /// <summary>
    /// Gets or sets whether the server certificate is accepted without any check (no CA, no name, no CRL).
    /// Never use it in production; a warning is logged when a cluster with it is built.
    /// </summary>
    /// <value>Defaults to <see langword="false"/> (Istio <c>insecureSkipVerify</c>).</value>
    public bool InsecureSkipVerify { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"Mode={Mode}";
}
