using Microsoft.Extensions.Primitives;

namespace MeshClient.Configuration;

/// <summary>
/// Resolves the <see cref="TlsOptions.CredentialName"/> of a DestinationRule's TLS settings to
/// certificate material: a client certificate with its key, the CA certificates to trust and a CRL
/// (the content of a Kubernetes TLS secret); and an <see cref="EgressProxyOptions.CredentialName"/> to
/// a user name and password (a basic-auth secret), when the configuration is applied. Register one with
/// <c>AddMesh().AddCredentialProvider&lt;T&gt;()</c>; without one, <see cref="MeshDirectoryCredentialProvider"/>
/// reads directories under <see cref="MeshOptions.CredentialsDirectory"/>.
/// </summary>
/// <remarks>
/// <see cref="GetCredential"/> is called when the configuration is validated and applied (at start-up
/// and on each reload), and again every <see cref="MeshOptions.CertificateRefreshInterval"/> and
/// whenever the token of <see cref="Watch"/> fires, to notice a rotation: when the returned material
/// differs from the last, new connections use it and the endpoints get new connection pools (requests in
/// flight finish on the old ones). It must therefore be fast and synchronous: serve material the provider
/// keeps (refreshed in the background), never a network call per call. A credential that cannot be
/// resolved when the configuration is validated is an error naming the service and field; one that
/// cannot be resolved later, or that does not load, keeps the last good material (logged).
/// </remarks>
public interface IMeshCredentialProvider
{
    /// <summary>Returns the material of <paramref name="credentialName"/>.</summary>
    /// <param name="credentialName">The <c>credentialName</c> of the TLS settings or of an egress proxy, as configured.</param>
    /// <returns>The credential, or <see langword="null"/> when the provider does not know the name.</returns>
    MeshCredential? GetCredential(string credentialName);

    /// <summary>
    /// Returns a token that fires when the material of <paramref name="credentialName"/> changes, so that a
    /// rotation is picked up at once rather than at the next periodic check; it is asked again after it fires.
    /// </summary>
    /// <param name="credentialName">The <c>credentialName</c> of the TLS settings, as configured.</param>
    /// <returns>A change token, or <see langword="null"/> (the default) to rely on the periodic check only.</returns>
    IChangeToken? Watch(string credentialName) => null;
}
