using System.Security.Cryptography.X509Certificates;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using MeshClient.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Tls;

/// <summary>
/// <c>credentialName</c> resolved by a custom <see cref="IMeshCredentialProvider"/> (in memory here; a
/// vault in production) against a real Kestrel server on 127.0.0.1 that requires client certificates.
/// </summary>
[Trait("Area", "Tls")]
public sealed class CredentialProviderTests : IDisposable
{
    private const string Host = "api.example.test";
    private readonly TlsFiles _pki = new();
    private readonly InMemoryCredentialProvider _provider = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Mutual_CredentialFromACustomProvider_PresentedToTheServer()
    {
        using var certificate = _pki.Server([Host]);
        using var client = _pki.Client("vault-client");
        _provider.Put("orders", Credential(client));
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate);
        using var mesh = Mesh(upstream, "orders");

        var body = await mesh.CreateClient().GetStringAsync($"http://{Host}/", Ct);

        Assert.Equal("mtls", body);
        Assert.Equal(["CN=vault-client"], upstream.ClientSubjects.ToArray());
    }

    [Fact]
    public async Task Mutual_CredentialRotatedByTheProvider_UsedByNewConnectionsWhileAnOpenOneFinishes()
    {
        using var certificate = _pki.Server([Host]);
        using var first = _pki.Client("first-client");
        using var second = _pki.Client("second-client");
        _provider.Put("orders", Credential(first));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate, handler: async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await release.Task;
            }

            await context.Response.WriteAsync(context.Connection.ClientCertificate?.Subject ?? "-", context.RequestAborted);
        });
        using var mesh = Mesh(upstream, "orders");
        var httpClient = mesh.CreateClient();
        Assert.Equal("CN=first-client", await httpClient.GetStringAsync($"http://{Host}/", Ct));
        var slow = httpClient.GetStringAsync($"http://{Host}/slow", Ct);
        await Upstream.WaitUntilAsync(() => upstream.Requests == 2, TimeSpan.FromSeconds(10), "the slow request reached the server");

        _provider.Set("orders", Credential(second)); // fires the provider's change token: no waiting for the periodic check

        Assert.Equal("CN=second-client", await httpClient.GetStringAsync($"http://{Host}/", Ct));
        release.SetResult();
        Assert.Equal("CN=first-client", await slow);
    }

    [Fact]
    public void Startup_CredentialUnknownToTheProvider_ErrorNamesServiceAndField()
    {
        using var mesh = Mesh(null, "missing");

        var error = Assert.Throws<MeshConfigurationException>(() => mesh.Runtime);

        Assert.Contains($"External service '{Host}': trafficPolicy.tls.credentialName 'missing' is not known to the credential provider InMemoryCredentialProvider", error.Message, StringComparison.Ordinal);
    }

    private MeshHost Mesh(Upstream? upstream, string credentialName)
    {
        return new MeshHost(services =>
        {
            services.AddMesh(o => o.DefaultTimeout = null).AddCredentialProvider(_provider);
            services.AddMeshExternalService(Host, s =>
            {
                MeshHost.Static(s, 80, "http", (upstream?.Port ?? 9, 1));
                s.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Mutual, CredentialName = credentialName };
            });
        });
    }

    private MeshCredential Credential(X509Certificate2 client)
    {
        using var key = client.GetRSAPrivateKey()!;
        return new MeshCredential
        {
            CertificateChainPem = client.ExportCertificatePem(),
            PrivateKeyPem = key.ExportPkcs8PrivateKeyPem(),
            CaCertificatesPem = _pki.Authority.ExportCertificatePem(),
        };
    }

    private static void RequireClientCertificate(HttpsConnectionAdapterOptions options)
    {
        options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        options.ClientCertificateValidation = static (certificate, _, _) => certificate.Subject.Contains("client", StringComparison.Ordinal);
    }
}
