using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.LoadBalancing;
using MeshClient.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.TestSupport;

/// <summary>Builds a service provider with the mesh over an in-memory handler per cluster (no sockets).</summary>
internal sealed class MeshHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    public MeshHarness(Action<IServiceCollection> configure, RecordingHandler? handler = null)
    {
        Handler = handler ?? new RecordingHandler();
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((_, target) => new WireHandler(Handler, target)));

        // Pickers start at their first endpoint, so that tests can follow the order of picks.
        services.AddSingleton<IEndpointPickerFactory>(EndpointPickerFactory.Ordered);
        configure(services);

        // Every client of the harness is a mesh client, so no test can reach the network by mistake.
        services.ConfigureHttpClientDefaults(static b => b.AddMeshHandlers());
        _provider = services.BuildServiceProvider();
    }

    /// <summary>Set by the simulated wire: where the production connection would have gone.</summary>
    internal static readonly HttpRequestOptionsKey<string> TargetKey = new("MeshClient.Tests.Target");

    public RecordingHandler Handler { get; }

    public IServiceProvider Services => _provider;

    public MeshRuntime Runtime => _provider.GetRequiredService<MeshRuntime>();

    public HttpClient CreateClient(string name = "") => _provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    /// <summary>A harness whose mesh is bound from <paramref name="configuration"/> (section <c>Mesh</c>), reloading with it.</summary>
    public static MeshHarness BoundTo(IConfiguration configuration) => new(services =>
    {
        services.AddSingleton(configuration);
        services.AddMesh().BindConfiguration("Mesh");
    });

    /// <summary>Sends a GET and returns the endpoint the mesh chose for it.</summary>
    public async Task<string?> EndpointOfAsync(string url)
    {
        using var response = await CreateClient().GetAsync(url, TestContext.Current.CancellationToken);
        return response.GetMeshResult()?.Endpoint;
    }

    public static void Static(ExternalServiceOptions s, int port, params string[] addresses)
    {
        s.Resolution = ServiceResolution.Static;
        s.Ports.Add(new ServicePortOptions(port, "http", ServiceProtocol.Http));
        foreach (var address in addresses)
        {
            s.Endpoints.Add(new ServiceEndpointOptions(address));
        }
    }

    public void Dispose() => _provider.Dispose();

    /// <summary>
    /// Stands in for one connection pool: records where production would connect (the same
    /// <see cref="UpstreamTarget.Resolve"/> the ConnectCallback uses) and lets many pools share one
    /// recording handler without disposing it.
    /// </summary>
    private sealed class WireHandler(HttpMessageHandler inner, UpstreamTarget target) : HttpMessageHandler
    {
        // disposeHandler: false — the shared recording handler outlives each pool.
        private readonly HttpMessageInvoker _inner = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            request.Options.Set(TargetKey, target.Resolve(uri.IdnHost, uri.Port) switch
            {
                DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
                var endPoint => endPoint.ToString()!,
            });
            return _inner.SendAsync(request, cancellationToken);
        }
    }
}
