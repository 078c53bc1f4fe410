using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>A service provider with the mesh on real sockets; every factory client is a mesh client.</summary>
internal sealed class MeshHost : IDisposable
{
    private readonly ServiceProvider _provider;

    public MeshHost(Action<IServiceCollection> configure, TestCertificates? trust = null)
    {
        var services = new ServiceCollection();
        if (trust is not null)
        {
            // For https:// tests without DestinationRule tls (caCertificates; see Tls/TlsOriginationTests),
            // the test trusts its own CA through this seam; the handler is otherwise the production one.
            services.AddSingleton(ClusterHandlerFactory.ConfigureSockets(handler =>
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    trust.Validate(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2, errors)));
        }

        configure(services);
        services.ConfigureHttpClientDefaults(static b => b.AddMeshHandlers());
        _provider = services.BuildServiceProvider();
    }

    public IServiceProvider Services => _provider;

    public MeshRuntime Runtime => _provider.GetRequiredService<MeshRuntime>();

    public HttpClient CreateClient(string name = "") => _provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    public static void Static(ExternalServiceOptions service, int servicePort, string portName, params (int Port, int Weight)[] endpoints)
    {
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(servicePort, portName));
        foreach (var (port, weight) in endpoints)
        {
            service.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1", weight) { Ports = { [portName] = port } });
        }
    }

    public void Dispose() => _provider.Dispose();
}
