using System.Net;

namespace MeshClient;

/// <summary>
/// The mesh found no route for the request (Envoy flag <c>NR</c>): the host is not declared by any
/// external service and the outbound traffic policy is REGISTRY_ONLY (status 502); or none of the
/// host's routes matched (404, <see cref="IsUnmatched"/>); or the request's Host header names another
/// service than its URI (421, <see cref="HostHeader"/>).
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

    /// <summary>
    /// Creates the exception for a request whose Host header names another service than its URI
    /// (421 Misdirected Request).
    /// </summary>
    internal MeshNoRouteException(string host, int port, string hostHeader, bool misdirected)
        : base(MisdirectedMessage(host, port, hostHeader), MeshResponseFlags.NoRouteFound, HttpStatusCode.MisdirectedRequest)
    {
        Host = host;
        Port = port;
        HostHeader = misdirected ? hostHeader : null;
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

    /// <summary>
    /// Gets the request's <c>Host</c> header when it named another service than the request URI and
    /// the request was refused for it (status 421, Misdirected Request); otherwise <see langword="null"/>.
    /// MeshClient routes on the URI's host, and the Host header decides SNI and the certificate name:
    /// the two must lead to the same external service.
    /// </summary>
    public string? HostHeader { get; }

    internal static string MisdirectedMessage(string host, int port, string hostHeader) =>
        $"Request to '{Authority(host, port)}' refused: its Host header '{Configuration.DiagnosticText.Cut(hostHeader)}' names another service. "
        + "MeshClient routes on the request URI's host, while the Host header decides SNI and the certificate name, so the two must name the same external service. "
        + "Put the host you mean in the request URI (the mesh sends it to that service's endpoints), or use a VirtualService authority rewrite to change the Host header.";

    internal static string NoMatchMessage(string host, int port, string path) =>
        $"No route matched the request to '{Authority(host, port)}{DiagnosticTextPath(path)}': every HTTP route of the host has match conditions and none held. "
        + "Add a route without match conditions as the last one to catch the rest.";

    private static string DiagnosticTextPath(string path) => Configuration.DiagnosticText.Cut(path, 200);

    internal static string BlockedMessage(string host, int port) =>
        $"Request to '{Authority(host, port)}' blocked: the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. "
        + $"Declare it with services.AddMeshExternalService(\"{host}\", ...) or a ServiceEntry, or set OutboundTrafficPolicy to AllowAny.";

    /// <summary>An authority as a URI writes it: an IPv6 host in brackets (<c>[::1]:8080</c>, not <c>::1:8080</c>).</summary>
    internal static string Authority(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
