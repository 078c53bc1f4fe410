using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Connections;

/// <summary>A <c>credentialName</c> resolved through a registered <see cref="IMeshCredentialProvider"/>: validation, loading and rotation.</summary>
[Trait("Area", "Tls")]
public sealed class CredentialProviderTests : IDisposable
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.";
    private readonly TestPki _pki = new();
    private readonly InMemoryCredentialProvider _provider = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLogger _logger = new();
    private int _changes;

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Validate_CredentialFromProvider_Valid()
    {
        _provider.Put("orders", Credential("first"));

        Assert.Empty(Validate(new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" }));
    }

    [Fact]
    public void Validate_CredentialUnknownToProvider_ErrorNamesServiceFieldAndProvider() =>
        Assert.Equal(
            [Prefix + "tls.credentialName 'orders' is not known to the credential provider InMemoryCredentialProvider (IMeshCredentialProvider.GetCredential returned null)."],
            Errors(new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" }));

    [Fact]
    public void Validate_ProviderThrows_ErrorWithItsMessage()
    {
        _provider.Throw = true;

        Assert.Equal(
            [Prefix + "tls.credentialName 'orders' cannot be resolved: the credential provider InMemoryCredentialProvider failed: vault unreachable"],
            Errors(new TlsOptions { Mode = TlsMode.Simple, CredentialName = "orders" }));
    }

    [Fact]
    public void Validate_MutualCredentialWithoutKey_ErrorNamesThePart()
    {
        _provider.Put("orders", WithKey(Credential("first"), null));

        Assert.Equal(
            [Prefix + "tls.credentialName 'orders' (privateKey) is missing: tls.key from the credential provider InMemoryCredentialProvider is empty (MUTUAL needs the private key)."],
            Errors(new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" }));
    }

    [Fact]
    public void Validate_BadKeyFromProvider_ErrorNeverQuotesIt()
    {
        _provider.Put("orders", WithKey(Credential("first"), "SECRET-MATERIAL-1234"));

        var error = Assert.Single(Errors(new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" }));

        Assert.StartsWith(Prefix + "tls.credentialName 'orders' (privateKey) tls.key from the credential provider InMemoryCredentialProvider is not the unencrypted PEM private key", error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-MATERIAL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DirectoryProviderWithRoot_LooksUnderItsRoot()
    {
        var secret = Path.Combine(_pki.Directory, "orders");
        Directory.CreateDirectory(secret);
        var (certificate, key) = _pki.WriteClient("dir");
        File.Copy(certificate, Path.Combine(secret, "tls.crt"));
        File.Copy(key, Path.Combine(secret, "tls.key"));
        var tls = new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" };

        Assert.Empty(MeshOptionsValidator.Validate(Options(tls), null, new MeshDirectoryCredentialProvider(_pki.Directory)));
        Assert.Single(MeshOptionsValidator.Validate(Options(tls), null, new MeshDirectoryCredentialProvider(Path.Combine(_pki.Directory, "elsewhere"))), d => d.IsError);
        Assert.Equal("CN=dir", new MeshDirectoryCredentialProvider(_pki.Directory).GetCredential("orders") is { } c ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(c.CertificateChainPem).Subject : null);
        Assert.Null(new MeshDirectoryCredentialProvider(_pki.Directory).GetCredential("nope"));
    }

    [Fact]
    public void Settings_CustomProvider_NoPathsAndWatched_DirectoryProviderKeepsFiles()
    {
        var tls = new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" };

        var custom = TlsSettings.From(tls, [], "/secrets", TimeSpan.FromSeconds(10), _provider)!;
        var directory = TlsSettings.From(tls, [], "/secrets", TimeSpan.FromSeconds(10), new MeshDirectoryCredentialProvider("/other"))!;

        Assert.Same(_provider, custom.Provider);
        Assert.Null(custom.ClientCertificate);
        Assert.True(custom.IsWatched);
        Assert.Null(directory.Provider);
        Assert.Equal(Path.Combine("/other", "orders", "tls.crt"), directory.ClientCertificate);
        Assert.NotEqual(custom, custom with { Provider = new InMemoryCredentialProvider() });
    }

    [Fact]
    public void Refresh_PeriodicCheck_PicksUpARotatedCredential()
    {
        _provider.Put("orders", Credential("first"));
        using var source = Source();
        var before = source.Current;

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Same(before, source.Current); // same content: nothing happens

        _provider.Put("orders", Credential("second"));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("CN=second", source.Current.ClientCertificate!.Subject);
        Assert.Equal(1, _changes);
    }

    [Fact]
    public void Refresh_ChangeToken_PicksUpARotationAtOnceAndKeepsWatching()
    {
        _provider.Put("orders", Credential("first"));
        using var source = Source();

        _provider.Set("orders", Credential("second"));
        Assert.Equal("CN=second", source.Current.ClientCertificate!.Subject);

        _provider.Set("orders", Credential("third"));
        Assert.Equal("CN=third", source.Current.ClientCertificate!.Subject);
        Assert.Equal(2, _changes);
    }

    [Fact]
    public void Refresh_CredentialGone_KeepsTheLastGoodMaterialAndLogsOnce()
    {
        var first = Credential("first");
        _provider.Put("orders", first);
        using var source = Source();
        var before = source.Current;

        _provider.Put("orders", null);
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Same(before, source.Current);
        Assert.Equal(0, _changes);
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("is not known to the credential provider", warning.Message, StringComparison.Ordinal);

        _provider.Put("orders", first);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Same(before, source.Current); // back, unchanged: no new pools
        Assert.Equal(0, _changes);
    }

    [Fact]
    public void Dispose_StopsWatching()
    {
        _provider.Put("orders", Credential("first"));
        var source = Source();
        var before = source.Current;

        source.Dispose();
        _provider.Set("orders", Credential("second"));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Same(before, source.Current);
        Assert.Equal(0, _changes);
    }

    [Fact]
    public void MeshCredential_ToString_NamesThePartsOnly()
    {
        var credential = Credential("first");

        Assert.Equal("MeshCredential(tls.crt, tls.key, ca.crt)", credential.ToString());
    }

    private TlsMaterialSource Source() =>
        new(new TlsSettings { Mode = TlsMode.Mutual, CredentialName = "orders", Provider = _provider, RefreshInterval = TimeSpan.FromSeconds(10) }, _time, _logger, "outbound|443||api.example.com", () => _changes++);

    private MeshCredential Credential(string subject)
    {
        var (certificate, key) = _pki.WriteClient(subject, subject);
        return new MeshCredential
        {
            CertificateChainPem = File.ReadAllText(certificate),
            PrivateKeyPem = File.ReadAllText(key),
            CaCertificatesPem = File.ReadAllText(_pki.CaPath),
        };
    }

    private static MeshCredential WithKey(MeshCredential credential, string? key) =>
        new() { CertificateChainPem = credential.CertificateChainPem, PrivateKeyPem = key, CaCertificatesPem = credential.CaCertificatesPem };

    private static MeshOptions Options(TlsOptions tls)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http) { TargetPort = 443 });
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.TrafficPolicy.Tls = tls;
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return options;
    }

    private List<MeshConfigurationDiagnostic> Validate(TlsOptions tls) => MeshOptionsValidator.Validate(Options(tls), null, _provider);

    private string[] Errors(TlsOptions tls) => Validate(tls).Where(d => d.IsError).Select(d => d.Message).ToArray();
}
