using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.IntegrationTests.Tls;

/// <summary>
/// TLS from the mesh against real Kestrel HTTPS servers on 127.0.0.1, with a CA, server and client
/// certificates made in the test: the application always calls <c>http://api.example.test</c>
/// (Istio's egress TLS origination) unless a test says otherwise.
/// </summary>
[Trait("Area", "Tls")]
public sealed class TlsOriginationTests : IDisposable
{
    private const string Host = "api.example.test";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Simple_PrivateCa_HttpRequestIsSentOverTlsWithHostAndSniUnchanged()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = Mesh(upstream, tls => tls.CaCertificates = _pki.CaPath);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Host}/orders");

        using var response = await mesh.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tls", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal([Host], upstream.Hosts.ToArray());
        Assert.Equal([Host], upstream.SniNames.ToArray());
        Assert.Equal("http", request.RequestUri!.Scheme);
    }

    [Fact]
    public async Task Simple_PortLevelSettings_OriginatesOnThatPortOnly()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            MeshHost.Static(s, 80, "http", (upstream.Port, 1));
            s.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions
            {
                Port = 80,
                Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath },
            });
        }));

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("tls", body);
        Assert.Equal([Host], upstream.SniNames.ToArray());
    }

    [Fact]
    public async Task Simple_UntrustedCa_RejectedAs503UfWhileTrustedControlSucceeds()
    {
        using var other = new TlsFiles("Some Other CA");
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var rejected = Mesh(upstream, tls => tls.CaCertificates = other.CaPath);
        using var trusted = Mesh(upstream, tls => tls.CaCertificates = _pki.CaPath);

        using var failed = await rejected.CreateClient().GetAsync($"http://{Host}/", Ct);
        using var control = await trusted.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.True(failed.GetMeshResult()!.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure));
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal(1, upstream.Requests);
    }

    [Fact]
    public async Task Simple_OsTrustStore_RejectsPrivateCa()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = Mesh(upstream, _ => { });

        using var response = await mesh.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, upstream.Requests);
    }

    [Fact]
    public async Task Simple_CertificateForAnotherName_Rejected_AndAcceptedWithSubjectAltNamesOverride()
    {
        using var certificate = _pki.Server(["backend.internal"]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var byHost = Mesh(upstream, tls => tls.CaCertificates = _pki.CaPath);
        using var wrongSan = Mesh(upstream, tls =>
        {
            tls.CaCertificates = _pki.CaPath;
            tls.SubjectAltNames.Add("other.internal");
        });
        using var rightSan = Mesh(upstream, tls =>
        {
            tls.CaCertificates = _pki.CaPath;
            tls.SubjectAltNames.Add("backend.internal");
        });

        using var hostMismatch = await byHost.CreateClient().GetAsync($"http://{Host}/", Ct);
        using var sanMismatch = await wrongSan.CreateClient().GetAsync($"http://{Host}/", Ct);
        using var accepted = await rightSan.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, hostMismatch.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, sanMismatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Simple_ExpiredServerCertificate_Rejected()
    {
        using var certificate = _pki.Server([Host], DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = Mesh(upstream, tls => tls.CaCertificates = _pki.CaPath, out var logs);

        using var response = await mesh.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("NotTimeValid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Simple_SniOverride_SeenByServerAndCheckedAgainstTheCertificate()
    {
        using var certificate = _pki.Server(["sni.internal"]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = Mesh(upstream, tls =>
        {
            tls.CaCertificates = _pki.CaPath;
            tls.Sni = "sni.internal";
        });

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("tls", body);
        Assert.Equal(["sni.internal"], upstream.SniNames.ToArray());
        Assert.Equal([Host], upstream.Hosts.ToArray());
    }

    [Fact]
    public async Task Simple_TargetPort_OriginatesFromPort80ToTheHttpsPort()
    {
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http) { TargetPort = upstream.Port });
            s.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1", 1));
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath };
        }));

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("tls", body);
    }

    [Fact]
    public async Task Simple_ResolutionNone_OriginatesToTheRequestedHostOnTargetPort()
    {
        using var certificate = _pki.Server(["localhost"]);
        await using var upstream = await Upstream.StartAsync("none", certificate);
        using var mesh = new MeshHost(services => services.AddMeshExternalService("localhost", s =>
        {
            s.Resolution = ServiceResolution.None;
            s.Ports.Add(new ServicePortOptions(80, "http") { TargetPort = upstream.Port });
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath };
        }));

        var body = await mesh.CreateClient().GetStringAsync("http://localhost/x", Ct);

        Assert.Equal("none", body);
        Assert.Equal(["localhost"], upstream.SniNames.ToArray());
    }

    [Fact]
    public async Task Mutual_ServerRequiringClientCertificates_AcceptsMutualAndRefusesSimple()
    {
        using var certificate = _pki.Server([Host]);
        using var client = _pki.Client("orders-client");
        var (clientCert, clientKey) = _pki.WritePem(client, "client");
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate);
        using var mutual = Mesh(upstream, tls =>
        {
            tls.Mode = TlsMode.Mutual;
            tls.CaCertificates = _pki.CaPath;
            tls.ClientCertificate = clientCert;
            tls.PrivateKey = clientKey;
        }, out var logs);
        using var simple = Mesh(upstream, tls => tls.CaCertificates = _pki.CaPath);

        var body = await mutual.CreateClient().GetStringAsync($"http://{Host}/", Ct);
        using var refused = await simple.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal("mtls", body);
        Assert.Equal(["CN=orders-client"], upstream.ClientSubjects.ToArray());
        Assert.True((int)refused.StatusCode >= 500);
        AssertNoSecrets(logs, clientKey, clientCert);
    }

    [Fact]
    public async Task Mutual_HttpsRequest_GetsClientCertificateAndCaCheckOnItsOwnTls()
    {
        using var certificate = _pki.Server([Host]);
        using var client = _pki.Client("https-client");
        var (clientCert, clientKey) = _pki.WritePem(client, "client");
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate);
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            MeshHost.Static(s, 443, "https", (upstream.Port, 1));
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Mutual, CaCertificates = _pki.CaPath, ClientCertificate = clientCert, PrivateKey = clientKey };
        }));

        var body = await mesh.CreateClient().GetStringAsync($"https://{Host}/", Ct);

        Assert.Equal("mtls", body);
        Assert.Equal(["CN=https-client"], upstream.ClientSubjects.ToArray());
    }

    [Fact]
    public async Task Mutual_CredentialNameDirectory_KubernetesSecretLayout()
    {
        using var certificate = _pki.Server([Host]);
        using var client = _pki.Client("secret-client");
        var secret = Path.Combine(_pki.Directory, "orders-secret");
        Directory.CreateDirectory(secret);
        var (clientCert, clientKey) = _pki.WritePem(client, "client");
        File.Copy(clientCert, Path.Combine(secret, "tls.crt"));
        File.Copy(clientKey, Path.Combine(secret, "tls.key"));
        File.Copy(_pki.CaPath, Path.Combine(secret, "ca.crt"));
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate);
        using var mesh = new MeshHost(services =>
        {
            services.AddMesh(o => o.CredentialsDirectory = _pki.Directory);
            services.AddMeshExternalService(Host, s =>
            {
                MeshHost.Static(s, 80, "http", (upstream.Port, 1));
                s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders-secret" };
            });
        });

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("mtls", body);
        Assert.Equal(["CN=secret-client"], upstream.ClientSubjects.ToArray());
    }

    [Fact]
    public async Task Mutual_RotatedClientCertificate_UsedByNewConnectionsWhileAnOpenOneFinishes()
    {
        using var certificate = _pki.Server([Host]);
        using var first = _pki.Client("first-client");
        using var second = _pki.Client("second-client");
        var (clientCert, clientKey) = _pki.WritePem(first, "client");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate, handler: async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await release.Task;
            }

            await context.Response.WriteAsync(context.Connection.ClientCertificate?.Subject ?? "-", context.RequestAborted);
        });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mesh = new MeshHost(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddMesh(o => o.DefaultTimeout = null);
            services.AddMeshExternalService(Host, s =>
            {
                MeshHost.Static(s, 80, "http", (upstream.Port, 1));
                s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Mutual, CaCertificates = _pki.CaPath, ClientCertificate = clientCert, PrivateKey = clientKey };
            });
        });
        var httpClient = mesh.CreateClient();
        Assert.Equal("CN=first-client", await httpClient.GetStringAsync($"http://{Host}/", Ct));
        var slow = httpClient.GetStringAsync($"http://{Host}/slow", Ct);
        await Upstream.WaitUntilAsync(() => upstream.Requests == 2, TimeSpan.FromSeconds(10), "the slow request reached the server");

        _pki.WritePem(second, "client");
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("CN=second-client", await httpClient.GetStringAsync($"http://{Host}/", Ct));
        release.SetResult();
        Assert.Equal("CN=first-client", await slow);
    }

    [Fact]
    public async Task Simple_CaCrlListingTheServerCertificate_Rejected()
    {
        using var certificate = _pki.Server([Host]);
        var crl = _pki.WriteCrl("revoked.crl", certificate);
        using var other = _pki.Server(["unrelated.internal"]);
        var unrelatedCrl = _pki.WriteCrl("other.crl", other);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var revoked = Mesh(upstream, tls =>
        {
            tls.CaCertificates = _pki.CaPath;
            tls.CaCrl = crl;
        }, out var logs);
        using var notRevoked = Mesh(upstream, tls =>
        {
            tls.CaCertificates = _pki.CaPath;
            tls.CaCrl = unrelatedCrl;
        });

        using var rejected = await revoked.CreateClient().GetAsync($"http://{Host}/", Ct);
        using var accepted = await notRevoked.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains("is revoked", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task InsecureSkipVerify_UntrustedCertificateAccepted_AndWarned()
    {
        using var other = new TlsFiles("Unknown CA");
        using var certificate = other.Server(["whatever.internal"]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = Mesh(upstream, tls => tls.InsecureSkipVerify = true, out var logs);

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("tls", body);
        Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("certificates are NOT checked", StringComparison.Ordinal));
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains("trafficPolicy.tls.insecureSkipVerify is true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failure_ThrowMode_ExceptionNamesHostSniAndReason()
    {
        using var certificate = _pki.Server(["backend.internal"]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = new MeshHost(services =>
        {
            services.AddMesh(o => o.FailureMode = MeshFailureMode.Throw);
            services.AddMeshExternalService(Host, s =>
            {
                MeshHost.Static(s, 80, "http", (upstream.Port, 1));
                s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath };
            });
        });

        var exception = await Assert.ThrowsAsync<MeshUpstreamException>(() => mesh.CreateClient().GetAsync($"http://{Host}/", Ct));

        Assert.Contains($"SNI '{Host}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid for 'api.example.test'", exception.Message, StringComparison.Ordinal);
        Assert.Equal(exception.Result!.UpstreamTransportFailureReason, exception.Message[(exception.Message.IndexOf("TLS to ", StringComparison.Ordinal))..exception.Message.LastIndexOf(" (UF", StringComparison.Ordinal)]);
    }

    [Fact]
    public async Task Https_UntrustedCa_RejectedWithTheReasonInTheResultAndBody()
    {
        using var other = new TlsFiles("Some Other CA");
        using var certificate = _pki.Server([Host]);
        await using var upstream = await Upstream.StartAsync("tls", certificate);
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            MeshHost.Static(s, 443, "https", (upstream.Port, 1));
            s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = other.CaPath };
        }));

        using var response = await mesh.CreateClient().GetAsync($"https://{Host}/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var reason = response.GetMeshResult()!.UpstreamTransportFailureReason;
        Assert.StartsWith($"TLS to 127.0.0.1:{upstream.Port} (host '{Host}', SNI '{Host}') failed: certificate 'CN={Host}' is not trusted (", reason, StringComparison.Ordinal);
        Assert.EndsWith(") by caCertificates.", reason, StringComparison.Ordinal);
        Assert.EndsWith(", transport failure reason: " + reason, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static void RequireClientCertificate(HttpsConnectionAdapterOptions options)
    {
        options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        options.ClientCertificateValidation = static (certificate, _, _) => certificate.Subject.Contains("client", StringComparison.Ordinal);
    }

    private static void AssertNoSecrets(FakeLogCollector logs, params string[] files)
    {
        foreach (var record in logs.GetSnapshot())
        {
            var text = record.Message + record.Exception;
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
            Assert.DoesNotContain("BEGIN CERTIFICATE", text, StringComparison.Ordinal);
            foreach (var file in files)
            {
                var body = File.ReadAllText(file).Split('\n')[1]; // a line of the base64 body
                Assert.DoesNotContain(body, text, StringComparison.Ordinal);
            }
        }
    }

    private static MeshHost Mesh(Upstream upstream, Action<TlsOptions> configure) => Mesh(upstream, configure, out _);

    private static MeshHost Mesh(Upstream upstream, Action<TlsOptions> configure, out FakeLogCollector logs)
    {
        FakeLogCollector? collector = null;
        var host = new MeshHost(services =>
        {
            services.AddFakeLogging();
            services.AddMeshExternalService(Host, s =>
            {
                MeshHost.Static(s, 80, "http", (upstream.Port, 1));
                var tls = new TlsOptions { Mode = TlsMode.Simple };
                configure(tls);
                s.TrafficPolicy.Tls = tls;
            });
        });
        collector = host.Services.GetFakeLogCollector();
        logs = collector;
        return host;
    }
}
