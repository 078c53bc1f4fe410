using System.Net;

namespace MeshClient;

/// <summary>
/// No response came from upstream: the connection failed (<c>UF</c>), the endpoint closed it before
/// a complete response (<c>UC</c>), the host did not resolve (<c>DF</c>), or no endpoint was
/// available (<c>UH</c>). Envoy answers all of them with 503.
/// </summary>
public sealed class MeshUpstreamException : MeshException
{
    /// <summary>Creates the exception.</summary>
    public MeshUpstreamException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MeshUpstreamException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MeshUpstreamException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with its flags.</summary>
    /// <param name="message">The message.</param>
    /// <param name="flags">The Envoy response flags.</param>
    /// <param name="endpoint">The endpoint tried, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MeshUpstreamException(string message, MeshResponseFlags flags, string? endpoint, Exception? innerException = null)
        : base(message, flags, HttpStatusCode.ServiceUnavailable, innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>Gets the endpoint tried (<c>10.0.0.1:8080</c>), or <see langword="null"/> when none was chosen.</summary>
    public string? Endpoint { get; }
}
