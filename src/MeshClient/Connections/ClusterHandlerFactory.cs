using MeshClient.Model;

namespace MeshClient.Connections;

/// <summary>
/// Test seam for the wire. <see cref="ClusterHandlerFactory(Func{ClusterDefinition, UpstreamTarget, HttpMessageHandler})"/>
/// replaces each <see cref="SocketsHttpHandler"/> (unit tests and benchmarks put an in-memory
/// terminal handler under the real pipeline); <see cref="ConfigureSockets"/> keeps the production
/// handler and adjusts it (integration tests trust their generated CA). Register it as a singleton
/// before the runtime is created.
/// </summary>
internal sealed class ClusterHandlerFactory
{
    private readonly Func<ClusterDefinition, UpstreamTarget, HttpMessageHandler>? _create;
    private readonly Action<SocketsHttpHandler>? _configure;

    public ClusterHandlerFactory(Func<ClusterDefinition, UpstreamTarget, HttpMessageHandler> create) => _create = create;

    private ClusterHandlerFactory(Action<SocketsHttpHandler> configure) => _configure = configure;

    public static ClusterHandlerFactory ConfigureSockets(Action<SocketsHttpHandler> configure) => new(configure);

    /// <summary>Whether it replaces the production handlers (then no TLS material is loaded).</summary>
    public bool ReplacesHandlers => _create is not null;

    /// <summary>The replacement handler, or <see langword="null"/> to build the production one.</summary>
    public HttpMessageHandler? Create(ClusterDefinition definition, UpstreamTarget target) => _create?.Invoke(definition, target);

    public void Configure(SocketsHttpHandler handler) => _configure?.Invoke(handler);
}
