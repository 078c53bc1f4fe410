using System.Text;
using MeshClient.Connections;

namespace MeshClient.Configuration;

/// <summary>
/// The default <see cref="IMeshCredentialProvider"/>: a credential is a directory in the layout of a
/// Kubernetes secret mounted as a volume — a TLS secret's <c>tls.crt</c>, <c>tls.key</c>, and optionally
/// <c>ca.crt</c> and <c>ca.crl</c>, or a basic-auth secret's <c>username</c> and <c>password</c> (an egress
/// proxy's credential). An absolute credential name is used as it is; a name is a directory under <see cref="Root"/>.
/// </summary>
/// <remarks>
/// When this provider is the one in use (none is registered, or this one is), the mesh reads the files
/// itself, so that a validation error names the file, and watches them every
/// <see cref="MeshOptions.CertificateRefreshInterval"/> (a Kubernetes secret update swaps a symlink).
/// </remarks>
/// <param name="root">
/// The directory credential names are under; <see langword="null"/> for
/// <see cref="MeshOptions.CredentialsDirectory"/> (and the current directory when that is not set either).
/// </param>
public sealed class MeshDirectoryCredentialProvider(string? root = null) : IMeshCredentialProvider
{
    /// <summary>Gets the directory credential names are under; <see langword="null"/> for <see cref="MeshOptions.CredentialsDirectory"/>.</summary>
    public string? Root { get; } = root;

    /// <summary>Reads the files of the directory <paramref name="credentialName"/>.</summary>
    /// <param name="credentialName">A name under <see cref="Root"/>, or an absolute directory path.</param>
    /// <returns>The files' content, or <see langword="null"/> when the directory does not exist.</returns>
    /// <exception cref="IOException">A file exists but cannot be read.</exception>
    public MeshCredential? GetCredential(string credentialName)
    {
        ArgumentNullException.ThrowIfNull(credentialName);
        var directory = TlsSettings.CredentialDirectory(credentialName, Root);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var crl = Read(directory, TlsSettings.CrlFile);
        return new MeshCredential
        {
            CertificateChainPem = Text(Read(directory, TlsSettings.CertificateFile)),
            PrivateKeyPem = Text(Read(directory, TlsSettings.KeyFile)),
            CaCertificatesPem = Text(Read(directory, TlsSettings.CaFile)),
            CaCrl = crl is null ? null : crl,
            UserName = File.Exists(Path.Combine(directory, Connections.ProxySettings.UserNameFile)) ? ReadLine(directory, Connections.ProxySettings.UserNameFile) : null,
            Password = File.Exists(Path.Combine(directory, Connections.ProxySettings.PasswordFile)) ? ReadLine(directory, Connections.ProxySettings.PasswordFile) : null,
        };
    }

    /// <summary>A basic-auth file's value (<c>username</c>, <c>password</c>), without the line break an editor or <c>echo</c> leaves at its end.</summary>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when it is missing).</exception>
    internal static string ReadLine(string directory, string file) => File.ReadAllText(Path.Combine(directory, file)).TrimEnd('\r', '\n');

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.ASCII.GetString(bytes);

    private static byte[]? Read(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }
}
