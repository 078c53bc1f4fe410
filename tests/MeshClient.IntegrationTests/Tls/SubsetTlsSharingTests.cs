using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.IntegrationTests.Tls;

/// <summary>
/// Subset clusters that share an mTLS connection pool: a subset that leased the pool another subset
/// built keeps watching the certificate files itself, so after that subset is gone a rotation still
/// gives it fresh connections with the new client certificate.
/// </summary>
[Trait("Area", "Tls")]
public sealed class SubsetTlsSharingTests : IDisposable
{
    private const string Host = "api.example.test";
    private readonly TlsFiles _pki = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task SharedPool_ItsBuilderSubsetRemoved_RotationStillRenewsTheOtherSubsetsConnections()
    {
        using var certificate = _pki.Server([Host]);
        using var first = _pki.Client("first-client");
        using var second = _pki.Client("second-client");
        var (clientCert, clientKey) = _pki.WritePem(first, "client");
        await using var upstream = await Upstream.StartAsync("mtls", certificate, https: RequireClientCertificate, handler: context =>
            context.Response.WriteAsync(context.Connection.ClientCertificate?.Subject ?? "-", context.RequestAborted));
        var tls = new TlsOptions { Mode = TlsMode.Mutual, CaCertificates = _pki.CaPath, ClientCertificate = clientCert, PrivateKey = clientKey };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mesh = new MeshHost(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddMesh(o => o.ExternalServices.Add(Service(upstream.Port, tls, "a")));
        });
        var client = mesh.CreateClient();

        // Subset a builds the pool; subset b, added later with the same wire settings, leases it.
        Assert.Equal("CN=first-client", await GetAsync(client, "a"));
        Assert.DoesNotContain(mesh.Runtime.Reload(Options(Service(upstream.Port, tls, "a", "b"))), d => d.IsError);
        Assert.Equal("CN=first-client", await GetAsync(client, "b"));
        Assert.Single(upstream.Connections);
        var b = mesh.Runtime.FindCluster(new Model.ClusterKey(Host, 80, "b"))!;
        var pool = Assert.Single(b.Endpoints).Pool;

        // Subset a goes (its certificate watch with it); the files rotate: b's own watch renews its pool.
        Assert.DoesNotContain(mesh.Runtime.Reload(Options(Service(upstream.Port, tls, "b"))), d => d.IsError);
        Assert.Null(mesh.Runtime.FindCluster(new Model.ClusterKey(Host, 80, "a")));
        Assert.False(pool.IsRetired);
        _pki.WritePem(second, "client");
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(pool.IsRetired);
        Assert.Equal("CN=second-client", await GetAsync(client, "b"));
        Assert.Equal(2, upstream.Connections.Count);
    }

    private static async Task<string> GetAsync(HttpClient client, string subset)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Host}/");
        request.Headers.Add("x-subset", subset);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal($"outbound|80|{subset}|{Host}", response.GetMeshResult()!.Cluster);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static MeshOptions Options(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return options;
    }

    /// <summary>The service over the upstream with mTLS, a 10 s connect timeout, and subsets a and b with 3 s (so the default cluster shares nothing with them), routed by header <c>x-subset</c>.</summary>
    private static ExternalServiceOptions Service(int port, TlsOptions tls, params string[] routed)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add(Host);
        MeshHost.Static(service, 80, "http", (port, 1));
        service.TrafficPolicy.Tls = tls;
        foreach (var name in new[] { "a", "b" })
        {
            service.Subsets.Add(new SubsetOptions
            {
                Name = name,
                TrafficPolicy = new TrafficPolicyOptions { ConnectionPool = new ConnectionPoolOptions { Tcp = { ConnectTimeout = TimeSpan.FromSeconds(3) } } },
            });
        }

        foreach (var name in routed)
        {
            var route = new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = Host, Subset = name } } } };
            route.Match.Add(new HttpMatchOptions { Headers = { ["x-subset"] = StringMatchOptions.ForExact(name) } });
            service.Http.Add(route);
        }

        return service;
    }

    private static void RequireClientCertificate(HttpsConnectionAdapterOptions options)
    {
        options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        options.ClientCertificateValidation = static (certificate, _, _) => certificate.Subject.Contains("client", StringComparison.Ordinal);
    }
}
