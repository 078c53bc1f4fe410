using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshClient.Tests.TestSupport;

/// <summary>A throw-away CA and client certificate written as PEM files into a temporary directory (deleted on dispose).</summary>
internal sealed class TestPki : IDisposable
{
    private readonly RSA _caKey = RSA.Create(2048);

    public TestPki()
    {
        Directory = Path.Combine(Path.GetTempPath(), "meshclient-pki-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var request = new CertificateRequest("CN=Unit Test CA", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        CaPath = Write("ca.crt", Authority.ExportCertificatePem());
    }

    public string Directory { get; }

    public X509Certificate2 Authority { get; }

    public string CaPath { get; }

    /// <summary>Writes a client certificate for <paramref name="subject"/> and its key; returns the paths.</summary>
    public (string Certificate, string Key) WriteClient(string subject, string name = "client", DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-10), notAfter ?? DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(16));
        return (Write(name + ".crt", issued.ExportCertificatePem()), Write(name + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
