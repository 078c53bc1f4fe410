namespace MeshClient;

/// <summary>
/// What a user fallback (<c>AddFallbackCache(configure, respond)</c>) is given when a service failed and
/// no cached response could be served: the request, what the mesh did, and the failure response when there
/// was one (in <see cref="Configuration.MeshFailureMode.Throw"/> mode there is none).
/// </summary>
public sealed class FallbackContext
{
    internal FallbackContext(string service, HttpRequestMessage request, MeshResult result, HttpResponseMessage? failure, CancellationToken cancellationToken)
    {
        Service = service;
        Request = request;
        Result = result;
        Failure = failure;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the name of the external service that failed.</summary>
    public string Service { get; }

    /// <summary>Gets the request that failed.</summary>
    public HttpRequestMessage Request { get; }

    /// <summary>Gets what the mesh did: the response flags, attempts and endpoint.</summary>
    public MeshResult Result { get; }

    /// <summary>Gets the failure response the caller would get, or <see langword="null"/> when the mesh would throw instead.</summary>
    /// <value>Disposed by the mesh when the user fallback returns a response; do not return it.</value>
    public HttpResponseMessage? Failure { get; }

    /// <summary>Gets the caller's cancellation token.</summary>
    public CancellationToken CancellationToken { get; }
}
