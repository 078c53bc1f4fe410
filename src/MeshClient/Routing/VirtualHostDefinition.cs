namespace MeshClient.Routing;

/// <summary>The ordered routes for one host and port (Envoy's virtual host), built from validated options.</summary>
internal sealed class VirtualHostDefinition(string serviceName, RouteDefinition[] routes)
{
    public string ServiceName { get; } = serviceName;

    public RouteDefinition[] Routes { get; } = routes;
}
