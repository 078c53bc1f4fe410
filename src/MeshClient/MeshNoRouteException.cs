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

    /// <summary>Creates the exception for a request that no route of its host matched (404).</summary>
    internal MeshNoRouteException(string host, int port, string path)
        : base(NoMatchMessage(host, port, path), MeshResponseFlags.NoRouteFound, HttpStatusCode.NotFound)
    {
        Host = host;
        Port = port;
        IsUnmatched = true;
    }

    /// <summary>Gets the blocked host.</summary>
    public string? Host { get; }

    /// <summary>Gets the port requested.</summary>
    public int Port { get; }

    /// <summary>
    /// Gets a value indicating whether the host is declared but none of its routes matched the request
    /// (Envoy's 404 <c>NR</c>), rather than blocked by REGISTRY_ONLY (502).
    /// </summary>
    public bool IsUnmatched { get; }

    internal static string NoMatchMessage(string host, int port, string path) =>
        $"No route matched the request to '{Authority(host, port)}{DiagnosticTextPath(path)}': every HTTP route of the host has match conditions and none held. "
        + "Add a route without match conditions as the last one to catch the rest.";

    private static string DiagnosticTextPath(string path) => path.Length > 200 ? path[..200] + "…" : path;

    internal static string BlockedMessage(string host, int port) =>
        $"Request to '{Authority(host, port)}' blocked: the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. "
        + $"Declare it with services.AddMeshExternalService(\"{host}\", ...) or a ServiceEntry, or set OutboundTrafficPolicy to AllowAny.";

    /// <summary>An authority as a URI writes it: an IPv6 host in brackets (<c>[::1]:8080</c>, not <c>::1:8080</c>).</summary>
    internal static string Authority(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
