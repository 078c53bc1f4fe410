using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// What a picker may look at to choose an endpoint for one attempt (grpc-dotnet's <c>PickContext</c>):
/// the request (hash keys for consistent hashing) and the endpoints this request already tried
/// (Envoy's <c>previous_hosts</c> retry predicate). Passed by reference; never stored.
/// </summary>
internal readonly struct PickContext
{
    public PickContext(HttpRequestMessage? request, TriedEndpoints? tried, MeshResult? result = null)
    {
        Request = request;
        Tried = tried;
        Result = result;
    }

    /// <summary>The request being sent, or <see langword="null"/> in tests and health checks.</summary>
    public HttpRequestMessage? Request { get; }

    /// <summary>The endpoints earlier attempts of this request went to; <see langword="null"/> on a first attempt.</summary>
    public TriedEndpoints? Tried { get; }

    /// <summary>
    /// The request's result, where a consistent-hash cookie generated for it is kept (so that its
    /// retries hash alike and the routing handler returns it as a <c>Set-Cookie</c>); <see langword="null"/> in tests.
    /// </summary>
    public MeshResult? Result { get; }

    /// <summary>Whether an earlier attempt of this request went to <paramref name="endpoint"/>.</summary>
    public bool WasTried(MeshEndpoint endpoint) => Tried is { } tried && tried.Contains(endpoint);
}
