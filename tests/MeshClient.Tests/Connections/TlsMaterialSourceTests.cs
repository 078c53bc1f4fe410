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
