using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshClient.Configuration;

namespace MeshClient.Connections;

/// <summary>
/// The certificates of one <see cref="TlsSettings"/>, loaded from its PEM files: the CA certificates
/// to trust (or none: the OS store), the client certificate with its key, and the CRL. Immutable; a
/// rotation loads a new one. Nothing here is ever written to a log or a message, only file paths and
/// certificate subjects.
/// </summary>
internal sealed class TlsMaterial
{
    private TlsMaterial(X509Certificate2Collection? trust, X509Certificate2? clientCertificate, SslClientContext? clientContext, CertificateRevocationList? crl, string? unavailable = null)
    {
        Unavailable = unavailable;
        Trust = trust;
        ClientCertificate = clientCertificate;
        ClientContext = clientContext;
        Crl = crl;
    }

    /// <summary>No files: the OS trust store, no client certificate, no CRL.</summary>
    public static TlsMaterial None { get; } = new(null, null, null, null);

    /// <summary>
    /// Why there is no material yet (a file does not exist or cannot be read: "caCertificates file '…'
    /// does not exist"), or <see langword="null"/> when it loaded. Such material fails every connection
    /// before anything is sent (Envoy's cluster without its TLS files), never falling back to plain
    /// text or the OS trust store; the rotation timer loads the files when they appear.
    /// </summary>
    public string? Unavailable { get; }

    /// <summary>Material that fails every connection with <paramref name="reason"/> (see <see cref="Unavailable"/>).</summary>
    public static TlsMaterial Missing(string reason) => new(null, null, null, null, reason);

    /// <summary>The only CA certificates trusted, or <see langword="null"/> for the OS trust store.</summary>
    public X509Certificate2Collection? Trust { get; }

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The client certificate with the intermediates from its file, as sent in the handshake.</summary>
    public SslClientContext? ClientContext { get; }

    public CertificateRevocationList? Crl { get; }

    /// <summary>Loads the files of <paramref name="settings"/>, or its credential from its provider.</summary>
    /// <exception cref="TlsMaterialException">A file is missing or unreadable, or holds no usable PEM; the message names the field and path only.</exception>
    public static TlsMaterial Load(TlsSettings settings)
    {
        if (settings.Provider is not null)
        {
            return Load(settings, Resolve(settings));
        }

        if (!settings.HasFiles)
        {
            return None;
        }

        var trust = settings.CaCertificates is { } caPath ? LoadCertificates(caPath, Field(settings, "caCertificates")) : null;
        X509Certificate2? client = null;
        SslClientContext? context = null;
        if (settings.ClientCertificate is { } certPath && settings.PrivateKey is { } keyPath)
        {
            var certField = Field(settings, "clientCertificate");
            var keyField = Field(settings, "privateKey");
            var chain = LoadCertificates(certPath, certField);
            var keyText = System.Text.Encoding.ASCII.GetString(Read(keyPath, keyField));
            (client, context) = WithClientKey(chain, keyText, keyField, $"file '{keyPath}'", $"'{certPath}'");
        }

        CertificateRevocationList? crl = null;
        if (settings.CaCrl is { } crlPath)
        {
            var field = Field(settings, "caCrl");
            crl = LoadCrl(Read(crlPath, field), field, $"file '{crlPath}'");
        }

        return new TlsMaterial(trust, client, context, crl);
    }

    /// <summary>
    /// The files of <paramref name="settings"/> that do not exist or cannot be read now, each as the
    /// exception <see cref="Load(TlsSettings)"/> would throw for it (<see cref="TlsMaterialException.FileUnavailable"/>).
    /// </summary>
    public static List<TlsMaterialException> UnavailableFiles(TlsSettings settings)
    {
        var unavailable = new List<TlsMaterialException>();
        if (settings.Provider is not null)
        {
            return unavailable;
        }

        foreach (var (name, path) in (ReadOnlySpan<(string, string?)>)[("caCertificates", settings.CaCertificates), ("clientCertificate", settings.ClientCertificate), ("privateKey", settings.PrivateKey), ("caCrl", settings.CaCrl)])
        {
            if (path is null)
            {
                continue;
            }

            try
            {
                using var stream = File.OpenRead(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                try
                {
                    Read(path, Field(settings, name));
                }
                catch (TlsMaterialException missing)
                {
                    unavailable.Add(missing);
                }
            }
        }

        return unavailable;
    }

    /// <summary>The credential of <paramref name="settings"/> from its provider.</summary>
    /// <exception cref="TlsMaterialException">The provider does not know the name, or failed.</exception>
    public static MeshCredential Resolve(TlsSettings settings)
    {
        var provider = settings.Provider!;
        var name = settings.CredentialName!;
        var field = ("credentialName", $"'{Configuration.DiagnosticText.Cut(name)}'");
        MeshCredential? credential;
        try
        {
            credential = provider.GetCredential(name);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new TlsMaterialException(field, $"cannot be resolved: the credential provider {provider.GetType().Name} failed: {Configuration.DiagnosticText.Cut(ex.Message, 500)}", ex);
        }

        return credential ?? throw new TlsMaterialException(field, $"is not known to the credential provider {provider.GetType().Name} (IMeshCredentialProvider.GetCredential returned null).", null);
    }

    /// <summary>Loads a credential a provider returned for <paramref name="settings"/>.</summary>
    /// <exception cref="TlsMaterialException">A part is missing or unusable; the message names the part, never its content.</exception>
    public static TlsMaterial Load(TlsSettings settings, MeshCredential credential)
    {
        var from = $"from the credential provider {settings.Provider?.GetType().Name}";
        var trust = string.IsNullOrEmpty(credential.CaCertificatesPem)
            ? null
            : ParseCertificates(credential.CaCertificatesPem, Field(settings, "caCertificates"), $"{TlsSettings.CaFile} {from}");
        X509Certificate2? client = null;
        SslClientContext? context = null;
        if (settings.Mode == Configuration.TlsMode.Mutual)
        {
            var certField = Field(settings, "clientCertificate");
            var keyField = Field(settings, "privateKey");
            if (string.IsNullOrEmpty(credential.CertificateChainPem))
            {
                throw new TlsMaterialException(certField, $"is missing: {TlsSettings.CertificateFile} {from} is empty (MUTUAL needs the client certificate).", null);
            }

            if (string.IsNullOrEmpty(credential.PrivateKeyPem))
            {
                throw new TlsMaterialException(keyField, $"is missing: {TlsSettings.KeyFile} {from} is empty (MUTUAL needs the private key).", null);
            }

            var chain = ParseCertificates(credential.CertificateChainPem, certField, $"{TlsSettings.CertificateFile} {from}");
            (client, context) = WithClientKey(chain, credential.PrivateKeyPem, keyField, $"{TlsSettings.KeyFile} {from}", TlsSettings.CertificateFile);
        }

        var crl = credential.CaCrl is { Length: > 0 } bytes
            ? LoadCrl(bytes.ToArray(), Field(settings, "caCrl"), $"{TlsSettings.CrlFile} {from}")
            : null;
        return new TlsMaterial(trust, client, context, crl);
    }

    /// <summary>A digest of a provider's credential, to notice a rotation without keeping its content.</summary>
    public static byte[] Fingerprint(MeshCredential credential)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var text in (ReadOnlySpan<string?>)[credential.CertificateChainPem, credential.PrivateKeyPem, credential.CaCertificatesPem])
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(text ?? string.Empty));
            hash.AppendData([text is null ? (byte)0 : (byte)1]);
        }

        hash.AppendData(credential.CaCrl is { } crl ? crl.Span : []);
        return hash.GetHashAndReset();
    }

    private static CertificateRevocationList LoadCrl(byte[] bytes, (string Field, string Label) field, string where)
    {
        try
        {
            return CertificateRevocationList.Load(bytes);
        }
        catch (CryptographicException ex)
        {
            throw new TlsMaterialException(field, $"{where} is not a PEM or DER certificate revocation list: {ex.Message}", ex);
        }
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
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TlsMaterialException(field, $"file '{path}' does not exist", ex) { FileUnavailable = true };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsMaterialException(field, $"file '{path}' cannot be read: {ex.Message}", ex) { FileUnavailable = true };
        }
    }

    private static X509Certificate2Collection LoadCertificates(string path, (string Field, string Label) field) =>
        ParseCertificates(System.Text.Encoding.ASCII.GetString(Read(path, field)), field, $"file '{path}'");

    private static X509Certificate2Collection ParseCertificates(string pem, (string Field, string Label) field, string where)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new TlsMaterialException(field, $"{where} holds an invalid PEM certificate: {ex.Message}", ex);
        }

        if (certificates.Count == 0)
        {
            throw new TlsMaterialException(field, $"{where} holds no PEM certificate (-----BEGIN CERTIFICATE-----).", null);
        }

        return certificates;
    }

    private static (X509Certificate2, SslClientContext) WithClientKey(X509Certificate2Collection chain, string keyText, (string Field, string Label) keyField, string keyWhere, string certWhere)
    {
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
            throw new TlsMaterialException(keyField, $"{keyWhere} is not the unencrypted PEM private key of the certificate in {certWhere}: {ex.Message}", ex);
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

    /// <summary>
    /// A file does not exist or cannot be read (this machine's state, not a configuration error): a
    /// warning at validation, and material that fails closed until the file appears.
    /// </summary>
    public bool FileUnavailable { get; init; }
}
