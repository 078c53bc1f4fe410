using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Tls;

/// <summary>
/// A DestinationRule whose certificate files are not there yet (Envoy: the cluster's TLS fails at run
/// time): every attempt fails closed with 503 <c>UF</c> naming the file, without opening a connection,
/// and the rotation timer picks the file up when it is written: no restart.
/// </summary>
[Trait("Area", "Tls")]
public sealed class MissingTlsFilesTests : IDisposable
{
    private const string Host = "api.example.test";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Simple_CaFileWrittenAfterStartUp_FailsClosedThenSucceedsWithoutRestart()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        var ca = Path.Combine(_pki.Directory, "late-ca.crt");
        using var mesh = Mesh(upstream, new TlsOptions { Mode = TlsMode.Simple, CaCertificates = ca });
        var client = mesh.CreateClient();

        using (var failed = await client.GetAsync($"http://{Host}/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            var result = failed.GetMeshResult()!;
            Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure));
            Assert.Contains($"caCertificates file '{ca}' does not exist", result.UpstreamTransportFailureReason, StringComparison.Ordinal);
        }

        Assert.Empty(upstream.SniNames); // failed before connecting: no handshake, nothing sent
        Assert.Equal(0, upstream.Requests);

        File.Copy(_pki.CaPath, ca);

        // The refresh interval is one second on the real clock: new connections use the file once it is read.
        var status = HttpStatusCode.ServiceUnavailable;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (status != HttpStatusCode.OK && !deadline.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), Ct);
            using var response = await client.GetAsync($"http://{Host}/", Ct);
            status = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tls", await client.GetStringAsync($"http://{Host}/", Ct));
    }

    [Fact]
    public async Task Mutual_MissingKeyWithInsecureSkipVerify_StillFailsClosedAndSendsNothing()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var client = _pki.Client("client");
        var (clientCert, _) = _pki.WritePem(client, "client");
        var key = Path.Combine(_pki.Directory, "absent.key");
        using var mesh = Mesh(upstream, new TlsOptions { Mode = TlsMode.Mutual, InsecureSkipVerify = true, ClientCertificate = clientCert, PrivateKey = key });

        using var response = await mesh.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains($"privateKey file '{key}' does not exist", response.GetMeshResult()!.UpstreamTransportFailureReason, StringComparison.Ordinal);
        Assert.Empty(upstream.SniNames);
        Assert.Equal(0, upstream.Requests);
    }

    private static MeshHost Mesh(Upstream upstream, TlsOptions tls) => new(services =>
    {
        services.AddMesh(o => o.CertificateRefreshInterval = TimeSpan.FromSeconds(1));
        services.AddMeshExternalService(Host, s =>
        {
            MeshHost.Static(s, 80, "http", (upstream.Port, 1));
            s.TrafficPolicy.Tls = tls;
        });
    });
}
