using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Runtime;

/// <summary>TLS settings are part of the wire: a change (a reload, or rotated files) gives the endpoints new pools.</summary>
[Trait("Area", "Tls")]
public sealed class ClusterTlsTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<SocketsHttpHandler> _handlers = [];

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Update_TlsChanged_NewPool_EqualTlsKeepsIt()
    {
        using var cluster = Cluster(new TlsSettings { Sni = "a.internal" });
        var endpoint = cluster.Endpoints[0];
        var pool = endpoint.Pool;

        cluster.Update(Definition(new TlsSettings { Sni = "a.internal" }));
        Assert.Same(pool, endpoint.Pool);

        cluster.Update(Definition(new TlsSettings { Sni = "b.internal" }));
        Assert.NotSame(pool, endpoint.Pool);
        Assert.Same(endpoint, cluster.Endpoints[0]);
    }

    [Fact]
    public void RotatedFiles_NewPoolsBuiltWithTheCluster_ClockAndTlsOnEveryHandler()
    {
        var (certificate, key) = _pki.WriteClient("first");
        using var cluster = Cluster(new TlsSettings { Mode = TlsMode.Mutual, CaCertificates = _pki.CaPath, ClientCertificate = certificate, PrivateKey = key, RefreshInterval = TimeSpan.FromSeconds(5) });
        var endpoint = cluster.Endpoints[0];
        var pool = endpoint.Pool;

        _pki.WriteClient("second");
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.NotSame(pool, endpoint.Pool);
        Assert.True(pool.IsClosed); // no attempt in flight: the old pool closed at once
        Assert.Equal(2, _handlers.Count);
        Assert.All(_handlers, h => Assert.NotNull(h.ConnectCallback));
        Assert.All(_handlers, h => Assert.NotNull(h.SslOptions.RemoteCertificateValidationCallback));
        Assert.All(_handlers, h => Assert.NotNull(h.SslOptions.LocalCertificateSelectionCallback));
    }

    [Fact]
    public void Dispose_StopsWatchingTheFiles()
    {
        var (certificate, key) = _pki.WriteClient("first");
        var cluster = Cluster(new TlsSettings { Mode = TlsMode.Mutual, ClientCertificate = certificate, PrivateKey = key, RefreshInterval = TimeSpan.FromSeconds(5) });
        cluster.Dispose();

        _pki.WriteClient("second");
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Single(_handlers);
    }

    private Cluster Cluster(TlsSettings tls) =>
        new(Definition(tls), new ClusterServices(
            timeProvider: _time,
            handlerFactory: ClusterHandlerFactory.ConfigureSockets(_handlers.Add),
            pickerFactory: EndpointPickerFactory.Ordered));

    private static ClusterDefinition Definition(TlsSettings tls) =>
        new(
            new ClusterKey("api.example.com", 80),
            "api.example.com",
            ServiceResolution.Static,
            ServiceProtocol.Http,
            LoadBalancerAlgorithm.RoundRobin,
            null,
            [new EndpointDefinition(IPAddress.Parse("10.0.0.1"), 443, 1, null)],
            wire: WireSettings.Default with { Tls = tls });
}
