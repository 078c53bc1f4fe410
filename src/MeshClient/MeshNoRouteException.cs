using System.Net;

namespace MeshClient;

/// <summary>
/// The host is not declared by any external service and the outbound traffic policy is
/// REGISTRY_ONLY (Envoy flag <c>NR</c>, status 502).
/// </summary>
public sealed class MeshNoRouteException : MeshException
{
    /// <summary>Creates the exception.</summary>
    public MeshNoRouteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MeshNoRouteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MeshNoRouteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a blocked host.</summary>
    /// <param name="host">The blocked host.</param>
    /// <param name="port">The port requested.</param>
    public MeshNoRouteException(string host, int port)
        : base(BlockedMessage(host, port), MeshResponseFlags.NoRouteFound, HttpStatusCode.BadGateway)
    {
        Host = host;
        Port = port;
    }

    /// <summary>Gets the blocked host.</summary>
    public string? Host { get; }

    /// <summary>Gets the port requested.</summary>
    public int Port { get; }

    internal static string BlockedMessage(string host, int port) =>
        $"Request to '{Authority(host, port)}' blocked: the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. "
        + $"Declare it with services.AddMeshExternalService(\"{host}\", ...) or a ServiceEntry, or set OutboundTrafficPolicy to AllowAny.";

    /// <summary>An authority as a URI writes it: an IPv6 host in brackets (<c>[::1]:8080</c>, not <c>::1:8080</c>).</summary>
    internal static string Authority(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
