using MeshClient.Model;

namespace MeshClient.Connections;

/// <summary>
/// The wire for one cluster: one <see cref="SocketsHttpHandler"/> (and so one set of connection
/// pools, one per endpoint) that lives as long as the cluster, whatever happens to the handler
/// chains that <c>IHttpClientFactory</c> builds and recycles around it.
/// </summary>
internal sealed class ClusterConnections : IDisposable
{
    /// <summary>Istio's default <c>connectTimeout</c> (MeshConfig), 10 seconds.</summary>
    internal static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpMessageHandler _handler;

    public ClusterConnections(ClusterDefinition definition, ClusterHandlerFactory? factory)
    {
        _handler = factory?.Create(definition) ?? CreateSocketsHandler(definition);
        Invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose()
    {
        Invoker.Dispose();
        _handler.Dispose();
    }

    private static SocketsHttpHandler CreateSocketsHandler(ClusterDefinition definition) => new()
    {
        ConnectTimeout = DefaultConnectTimeout,

        // Shared by every client of the cluster: never share cookies between callers, and never
        // follow a redirect below the mesh (it would bypass routing and the outbound policy).
        UseCookies = false,
        AllowAutoRedirect = false,

        // Endpoints are explicit addresses; only unknown hosts under ALLOW_ANY keep the
        // application's usual (environment) proxy.
        UseProxy = definition.Key == ClusterKey.Passthrough,
    };
}
