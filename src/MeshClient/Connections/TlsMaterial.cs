using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshClient.Connections;

/// <summary>
/// The certificates of one <see cref="TlsSettings"/>, loaded from its PEM files: the CA certificates
/// to trust (or none: the OS store), the client certificate with its key, and the CRL. Immutable; a
/// rotation loads a new one. Nothing here is ever written to a log or a message, only file paths and
/// certificate subjects.
/// </summary>
internal sealed class TlsMaterial
{
    private TlsMaterial(X509Certificate2Collection? trust, X509Certificate2? clientCertificate, SslClientContext? clientContext, CertificateRevocationList? crl)
    {
        Trust = trust;
        ClientCertificate = clientCertificate;
        ClientContext = clientContext;
        Crl = crl;
    }

    /// <summary>No files: the OS trust store, no client certificate, no CRL.</summary>
    public static TlsMaterial None { get; } = new(null, null, null, null);

    /// <summary>The only CA certificates trusted, or <see langword="null"/> for the OS trust store.</summary>
    public X509Certificate2Collection? Trust { get; }

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The client certificate with the intermediates from its file, as sent in the handshake.</summary>
    public SslClientContext? ClientContext { get; }

    public CertificateRevocationList? Crl { get; }

    /// <summary>Loads the files of <paramref name="settings"/>.</summary>
    /// <exception cref="TlsMaterialException">A file is missing or unreadable, or holds no usable PEM; the message names the field and path only.</exception>
    public static TlsMaterial Load(TlsSettings settings)
    {
        if (!settings.HasFiles)
        {
            return None;
        }

        var trust = settings.CaCertificates is { } caPath ? LoadCertificates(caPath, Field(settings, "caCertificates")) : null;
        X509Certificate2? client = null;
        SslClientContext? context = null;
        if (settings.ClientCertificate is { } certPath && settings.PrivateKey is { } keyPath)
        {
            (client, context) = LoadClientCertificate(certPath, keyPath, settings);
        }

        CertificateRevocationList? crl = null;
        if (settings.CaCrl is { } crlPath)
        {
            var field = Field(settings, "caCrl");
            try
            {
                crl = CertificateRevocationList.Load(Read(crlPath, field));
            }
            catch (CryptographicException ex)
            {
                throw new TlsMaterialException(field, $"file '{crlPath}' is not a PEM or DER certificate revocation list: {ex.Message}", ex);
            }
        }

        return new TlsMaterial(trust, client, context, crl);
    }

    /// <summary>
    /// A digest of the files' current contents, to notice a rotation without keeping the bytes (a key
    /// among them); <see langword="null"/> when a file cannot be read right now (a secret being swapped).
    /// </summary>
    public static byte[]? Fingerprint(TlsSettings settings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in (ReadOnlySpan<string?>)[settings.CaCertificates, settings.CaCrl, settings.ClientCertificate, settings.PrivateKey])
        {
            if (path is null)
            {
                hash.AppendData([0]);
                continue;
            }

            try
            {
                hash.AppendData(File.ReadAllBytes(path));
                hash.AppendData([1]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        return hash.GetHashAndReset();
    }

    // A credential's files are reported against credentialName, the field that named them.
    private static (string Field, string Label) Field(TlsSettings settings, string name) =>
        settings.CredentialName is { } credential ? ("credentialName", $"'{credential}' ({name})") : (name, string.Empty);

    private static byte[] Read(string path, (string Field, string Label) field)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsMaterialException(field, $"file '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static X509Certificate2Collection LoadCertificates(string path, (string Field, string Label) field)
    {
        var bytes = Read(path, field);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
        }
        catch (CryptographicException ex)
        {
            throw new TlsMaterialException(field, $"file '{path}' holds an invalid PEM certificate: {ex.Message}", ex);
        }

        if (certificates.Count == 0)
        {
            throw new TlsMaterialException(field, $"file '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).", null);
        }

        return certificates;
    }

    private static (X509Certificate2, SslClientContext) LoadClientCertificate(string certPath, string keyPath, TlsSettings settings)
    {
        var certField = Field(settings, "clientCertificate");
        var keyField = Field(settings, "privateKey");
        var chain = LoadCertificates(certPath, certField);
        var keyText = System.Text.Encoding.ASCII.GetString(Read(keyPath, keyField));
        X509Certificate2 certificate;
        try
        {
            using var leaf = chain[0];
            certificate = leaf.GetKeyAlgorithm() switch
            {
                "1.2.840.10045.2.1" => WithKey(leaf, ECDsa.Create(), keyText),
                _ => WithKey(leaf, RSA.Create(), keyText),
            };
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // The exception's own text says what was wrong with the PEM structure, never its content.
            throw new TlsMaterialException(keyField, $"file '{keyPath}' is not the unencrypted PEM private key of the certificate in '{certPath}': {ex.Message}", ex);
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use an ephemeral key for client authentication.
            using var ephemeral = certificate;
#if NET9_0_OR_GREATER
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
#else
            certificate = new X509Certificate2(ephemeral.Export(X509ContentType.Pkcs12));
#endif
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        return (certificate, new SslClientContext(certificate, intermediates));
    }

    private static X509Certificate2 WithKey<TKey>(X509Certificate2 leaf, TKey key, string keyText)
        where TKey : AsymmetricAlgorithm
    {
        using (key)
        {
            key.ImportFromPem(keyText);
            return key switch
            {
                ECDsa ec => leaf.CopyWithPrivateKey(ec),
                RSA rsa => leaf.CopyWithPrivateKey(rsa),
                _ => throw new CryptographicException("Unsupported key algorithm."),
            };
        }
    }
}

/// <summary>A client certificate with the intermediates to send with it.</summary>
internal sealed class SslClientContext(X509Certificate2 certificate, X509Certificate2Collection intermediates)
{
    private System.Net.Security.SslStreamCertificateContext? _context;

    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>Built on first use (it may look up the chain): a handshake, never a request.</summary>
    public System.Net.Security.SslStreamCertificateContext Context =>
        _context ??= System.Net.Security.SslStreamCertificateContext.Create(Certificate, intermediates, offline: true);
}

/// <summary>A TLS certificate file that cannot be used; the message names the field and the path, never the content.</summary>
internal sealed class TlsMaterialException : Exception
{
    public TlsMaterialException()
    {
    }

    public TlsMaterialException(string message)
        : base(message)
    {
    }

    public TlsMaterialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal TlsMaterialException((string Field, string Label) field, string detail, Exception? innerException)
        : base($"{field.Field}{(field.Label.Length > 0 ? " " + field.Label : string.Empty)} {detail}", innerException)
    {
        Field = field.Field;
        Detail = (field.Label.Length > 0 ? field.Label + " " : string.Empty) + detail;
    }

    /// <summary>The Istio field the file came from (<c>caCertificates</c>, <c>credentialName</c>…).</summary>
    public string? Field { get; }

    /// <summary>The message after the field name.</summary>
    public string? Detail { get; }
}
