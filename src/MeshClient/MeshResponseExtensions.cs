namespace MeshClient;

/// <summary>Reads what the mesh did with a request from its response.</summary>
public static class MeshResponseExtensions
{
    internal static readonly HttpRequestOptionsKey<MeshResult> ResultKey = new("MeshClient.Result");

    /// <summary>Gets what the mesh did with the request that produced <paramref name="response"/>.</summary>
    /// <param name="response">A response from a client that has the mesh handlers.</param>
    /// <returns>The result, or <see langword="null"/> when the request did not go through the mesh.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static MeshResult? GetMeshResult(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.RequestMessage is { } request ? request.GetMeshResult() : null;
    }

    /// <summary>Gets what the mesh did with <paramref name="request"/> once it was sent.</summary>
    /// <param name="request">A request sent by a client that has the mesh handlers.</param>
    /// <returns>The result, or <see langword="null"/> when the request did not go through the mesh.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static MeshResult? GetMeshResult(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(ResultKey, out var result) ? result : null;
    }
}
