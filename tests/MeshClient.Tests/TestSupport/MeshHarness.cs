using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Runtime;
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
        services.AddSingleton(new ClusterHandlerFactory(_ => new NonDisposingHandler(Handler)));
        configure(services);

        // Every client of the harness is a mesh client, so no test can reach the network by mistake.
        services.ConfigureHttpClientDefaults(static b => b.AddMeshHandlers());
        _provider = services.BuildServiceProvider();
    }

    public RecordingHandler Handler { get; }

    public IServiceProvider Services => _provider;

    public MeshRuntime Runtime => _provider.GetRequiredService<MeshRuntime>();

    public HttpClient CreateClient(string name = "") => _provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);

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

    /// <summary>Lets many clusters share one recording handler without disposing it.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler inner) : HttpMessageHandler
    {
        // disposeHandler: false — the shared recording handler outlives each cluster.
        private readonly HttpMessageInvoker _inner = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _inner.SendAsync(request, cancellationToken);
    }
}
