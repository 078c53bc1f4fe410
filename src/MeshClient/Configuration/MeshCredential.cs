namespace MeshClient.Configuration;

/// <summary>
/// The material of one credential, as an <see cref="IMeshCredentialProvider"/> returns it: the fields
/// of a Kubernetes TLS secret (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>, <c>ca.crl</c>) for a
/// <see cref="TlsOptions.CredentialName"/>, or of a basic-auth secret (<c>username</c>, <c>password</c>)
/// for an <see cref="EgressProxyOptions.CredentialName"/>. Its <see cref="ToString"/> never shows the content.
/// </summary>
public sealed class MeshCredential
{
    /// <summary>
    /// Gets the client certificate in PEM, followed by the intermediates to send with it (<c>tls.crt</c>).
    /// Required for <see cref="TlsMode.Mutual"/>; not used with <see cref="TlsMode.Simple"/>.
    /// </summary>
    public string? CertificateChainPem { get; init; }

    /// <summary>
    /// Gets the unencrypted PEM private key of the client certificate (<c>tls.key</c>): PKCS#8, PKCS#1 or SEC1.
    /// Required for <see cref="TlsMode.Mutual"/>.
    /// </summary>
    public string? PrivateKeyPem { get; init; }

    /// <summary>
    /// Gets the PEM certificates of the only CAs trusted to sign the server's certificate (<c>ca.crt</c>);
    /// <see langword="null"/> or empty for the OS trust store.
    /// </summary>
    public string? CaCertificatesPem { get; init; }

    /// <summary>Gets the certificate revocation list (<c>ca.crl</c>), PEM or DER; <see langword="null"/> for none.</summary>
    public ReadOnlyMemory<byte>? CaCrl { get; init; }

    /// <summary>Gets the user name an egress proxy's Basic authentication sends (<c>username</c>); required for a proxy's credential.</summary>
    public string? UserName { get; init; }

    /// <summary>Gets the password of <see cref="UserName"/> (<c>password</c>); never logged or shown.</summary>
    public string? Password { get; init; }

    /// <summary>Returns which parts are present, never their content.</summary>
    /// <returns>For example <c>MeshCredential(tls.crt, tls.key, ca.crt)</c>.</returns>
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (!string.IsNullOrEmpty(CertificateChainPem))
        {
            parts.Add("tls.crt");
        }

        if (!string.IsNullOrEmpty(PrivateKeyPem))
        {
            parts.Add("tls.key");
        }

        if (!string.IsNullOrEmpty(CaCertificatesPem))
        {
            parts.Add("ca.crt");
        }

        if (CaCrl is { Length: > 0 })
        {
            parts.Add("ca.crl");
        }

        if (!string.IsNullOrEmpty(UserName))
        {
            parts.Add("username");
        }

        if (Password is not null)
        {
            parts.Add("password");
        }

        return $"MeshCredential({string.Join(", ", parts)})";
    }
}
