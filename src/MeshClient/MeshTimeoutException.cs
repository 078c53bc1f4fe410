using System.Net;

namespace MeshClient;

/// <summary>
/// The route timeout (<see cref="Configuration.RouteOptions.Timeout"/>, Istio <c>http[].timeout</c>)
/// expired before the response arrived (Envoy flag <c>UT</c>, status 504).
/// </summary>
public sealed class MeshTimeoutException : MeshException
{
    /// <summary>Creates the exception.</summary>
    public MeshTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MeshTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MeshTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with its flags and the timeout that expired.</summary>
    /// <param name="message">The message.</param>
    /// <param name="flags">The Envoy response flags.</param>
    /// <param name="timeout">The route timeout that expired.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MeshTimeoutException(string message, MeshResponseFlags flags, TimeSpan timeout, Exception? innerException = null)
        : base(message, flags, HttpStatusCode.GatewayTimeout, innerException)
    {
        Timeout = timeout;
    }

    /// <summary>Gets the route timeout that expired.</summary>
    public TimeSpan Timeout { get; }
}
