using System.Net;

namespace MeshClient.Model;

/// <summary>One resolved endpoint of a cluster: where to connect and how much traffic it gets.</summary>
internal sealed record EndpointDefinition(IPAddress Address, int Port, int Weight, string? Locality)
{
    /// <summary><c>10.0.0.1:8080</c> or <c>[::1]:8080</c>.</summary>
    public string Authority { get; } = new IPEndPoint(Address, Port).ToString();
}
