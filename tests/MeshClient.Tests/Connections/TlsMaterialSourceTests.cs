using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Connections;

/// <summary>Rotation without restart: the files are checked on the cluster's clock; a change that loads is used, one that does not is logged once.</summary>
[Trait("Area", "Tls")]
public sealed class TlsMaterialSourceTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLogger _logger = new();
    private int _changes;

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Refresh_ChangedClientCertificate_NewMaterialAndPoolsRenewed()
    {
        using var source = Source(out _);
        var before = source.Current;

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Same(before, source.Current); // unchanged files: nothing happens
        Assert.Equal(0, _changes);

        _pki.WriteClient("second");
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.NotSame(before, source.Current);
        Assert.Equal("CN=second", source.Current.ClientCertificate!.Subject);
        Assert.Equal(1, _changes);
    }

    [Fact]
    public void Refresh_BrokenKey_KeepsTheLastGoodMaterialAndLogsOnce()
    {
        using var source = Source(out var key);
        var before = source.Current;

        File.WriteAllText(key, "not a key");
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Same(before, source.Current);
        Assert.Equal(0, _changes);
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("the previous ones stay in use", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not a key", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refresh_FileMissingForAMoment_KeepsTheMaterialSilently()
    {
        using var source = Source(out var key);
        var before = source.Current;
        var text = File.ReadAllText(key);

        File.Delete(key);
        _time.Advance(TimeSpan.FromSeconds(10));
        File.WriteAllText(key, text);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Same(before, source.Current);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public void Create_ExpiredClientCertificate_LoggedBeforeUse()
    {
        var (certificate, key) = _pki.WriteClient("old", "expired", DateTimeOffset.UtcNow.AddDays(-1));
        var settings = new TlsSettings { Mode = TlsMode.Mutual, ClientCertificate = certificate, PrivateKey = key };

        using var source = new TlsMaterialSource(settings, _time, _logger, "outbound|443||api.example.com", null);

        var warning = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.StartsWith("Cluster outbound|443||api.example.com: the client certificate 'CN=old' expired at ", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingCaFile_FailsClosedUntilTheTimerFindsIt()
    {
        var ca = Path.Combine(_pki.Directory, "late-ca.crt");
        var settings = new TlsSettings { Mode = TlsMode.Simple, CaCertificates = ca, RefreshInterval = TimeSpan.FromSeconds(10) };

        using var source = new TlsMaterialSource(settings, _time, _logger, "outbound|443||api.example.com", () => _changes++);

        // Missing material: no trust of its own, which must never mean the OS store.
        Assert.Equal($"caCertificates file '{ca}' does not exist", source.Current.Unavailable);
        Assert.Null(source.Current.Trust);
        Assert.Equal(source.Current.Unavailable, FailClosedReason(source));
        var warning = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"caCertificates file '{ca}' does not exist", warning.Message, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.NotNull(source.Current.Unavailable); // still missing: still closed, nothing more logged
        Assert.Equal(0, _changes);

        File.Copy(_pki.CaPath, ca);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(source.Current.Unavailable);
        Assert.Equal(_pki.Authority.Thumbprint, Assert.Single(source.Current.Trust!).Thumbprint);
        Assert.Equal(1, _changes);
    }

    [Fact]
    public void Create_MissingKeyFile_MutualFailsClosedEvenWithInsecureSkipVerify()
    {
        var (certificate, _) = _pki.WriteClient("first");
        var key = Path.Combine(_pki.Directory, "absent.key");
        var settings = new TlsSettings { Mode = TlsMode.Mutual, ClientCertificate = certificate, PrivateKey = key, InsecureSkipVerify = true };

        using var source = new TlsMaterialSource(settings, _time, _logger, "outbound|443||api.example.com", null);

        Assert.Equal($"privateKey file '{key}' does not exist", source.Current.Unavailable);
        Assert.Null(source.Current.ClientCertificate);
        Assert.Equal(source.Current.Unavailable, FailClosedReason(source));
    }

    [Fact]
    public void Create_CaFileThatIsNotPem_StillThrows()
    {
        var ca = _pki.Write("bad-ca.crt", "not a certificate");
        var settings = new TlsSettings { Mode = TlsMode.Simple, CaCertificates = ca };

        var ex = Assert.Throws<TlsMaterialException>(() => new TlsMaterialSource(settings, _time, _logger, "outbound|443||api.example.com", null));

        Assert.False(ex.FileUnavailable);
    }

    // Whatever the server presents (here: a certificate the CA would accept), missing material rejects it.
    private string? FailClosedReason(TlsMaterialSource source)
    {
        var (certificate, _) = _pki.WriteClient("server", "server");
        var presented = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        presented.ImportFromPemFile(certificate);
        return ServerCertificateValidator.Check(source.Settings, source.Current, presented[0], null, "server", _time.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public void Dispose_StopsWatching()
    {
        var source = Source(out _);
        source.Dispose();

        _pki.WriteClient("second");
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, _changes);
    }

    private TlsMaterialSource Source(out string key)
    {
        var (certificate, keyPath) = _pki.WriteClient("first");
        key = keyPath;
        var settings = new TlsSettings { Mode = TlsMode.Mutual, CaCertificates = _pki.CaPath, ClientCertificate = certificate, PrivateKey = keyPath, RefreshInterval = TimeSpan.FromSeconds(10) };
        return new TlsMaterialSource(settings, _time, _logger, "outbound|443||api.example.com", () => _changes++);
    }
}
