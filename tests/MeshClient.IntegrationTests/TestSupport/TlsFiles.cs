using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>
/// A throw-away CA made in the test (never installed anywhere) that issues server and client
/// certificates and CRLs, and writes them as PEM files into a temporary directory that is deleted on dispose.
/// </summary>
internal sealed class TlsFiles : IDisposable
{
    private readonly RSA _caKey;

    public TlsFiles(string name = "MeshClient Test CA")
    {
        Directory = Path.Combine(Path.GetTempPath(), "meshclient-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        _caKey = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        CaPath = Write("ca.crt", Authority.ExportCertificatePem());
    }

    public string Directory { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>The PEM file of <see cref="Authority"/>.</summary>
    public string CaPath { get; }

    /// <summary>A server certificate for <paramref name="dnsNames"/>, with its key, usable by Kestrel.</summary>
    public X509Certificate2 Server(string[] dnsNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Issue($"CN={dnsNames[0]}", dnsNames, "1.3.6.1.5.5.7.3.1", notBefore, notAfter);

    /// <summary>A client certificate for <paramref name="subject"/>.</summary>
    public X509Certificate2 Client(string subject) => Issue($"CN={subject}", [], "1.3.6.1.5.5.7.3.2", null, null);

    /// <summary>Writes the certificate and its key as PEM files; returns their paths.</summary>
    public (string Certificate, string Key) WritePem(X509Certificate2 certificate, string name)
    {
        using var key = certificate.GetRSAPrivateKey()!;
        return (Write(name + ".crt", certificate.ExportCertificatePem()), Write(name + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>A PEM CRL signed by the CA that revokes <paramref name="revoked"/>.</summary>
    public string WriteCrl(string name, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate);
        }

        var crl = builder.Build(Authority, BigInteger.One, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return Write(name, PemEncoding.WriteString("X509 CRL", crl));
    }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Whether <paramref name="certificate"/> was issued by this CA.</summary>
    public bool Issued(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private X509Certificate2 Issue(string subject, string[] dnsNames, string usage, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (dnsNames.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames)
            {
                san.AddDnsName(dns);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(Authority, notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
