using MeshClient.Model;

namespace MeshClient.Connections;

/// <summary>
/// Replaces the per-cluster <see cref="SocketsHttpHandler"/>: the seam that unit tests and the
/// benchmarks use to put an in-memory terminal handler under the real pipeline. Register it as a
/// singleton before the runtime is created.
/// </summary>
internal sealed class ClusterHandlerFactory(Func<ClusterDefinition, HttpMessageHandler> create)
{
    public HttpMessageHandler Create(ClusterDefinition definition) => create(definition);
}
