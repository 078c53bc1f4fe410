using MeshClient.Runtime;

namespace MeshClient.Tests.TestSupport;

/// <summary>Reads the live routes of a runtime in tests.</summary>
internal static class RouteTestExtensions
{
    /// <summary>The first route of the virtual host for <paramref name="host"/> and <paramref name="port"/>.</summary>
    public static MeshRoute RouteOf(this MeshRuntime runtime, string host, int port) =>
        (runtime.State.VirtualHosts.Match(host, port) ?? throw new InvalidOperationException($"No virtual host for {host}:{port}.")).Routes[0];

    /// <summary>The route of the runtime's only virtual host (which has one route).</summary>
    public static MeshRoute OnlyRoute(this MeshRuntime runtime) => runtime.State.VirtualHosts.Entries.Single().Value.Routes.Single();
}
