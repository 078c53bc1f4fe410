using System.Net;

namespace MeshClient;

/// <summary>
/// The mesh ended the request (thrown in <see cref="Configuration.MeshFailureMode.Throw"/> mode).
/// It is an <see cref="HttpRequestException"/>, so code that already handles failed HTTP calls keeps working;
/// <see cref="HttpRequestException.StatusCode"/> is the status Envoy would have returned.
/// </summary>
public class MeshException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    public MeshException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MeshException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MeshException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the flags and the status Envoy would return.</summary>
    /// <param name="message">The message.</param>
    /// <param name="flags">The Envoy response flags.</param>
    /// <param name="statusCode">The status Envoy would return.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MeshException(string message, MeshResponseFlags flags, HttpStatusCode statusCode, Exception? innerException = null)
        : base(message, innerException, statusCode)
    {
        Flags = flags;
    }

    /// <summary>Gets the Envoy response flags.</summary>
    public MeshResponseFlags Flags { get; }

    /// <summary>Gets the full result of the request, when known.</summary>
    public MeshResult? Result { get; init; }
}
