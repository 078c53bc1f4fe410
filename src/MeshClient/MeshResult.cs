using MeshClient.Runtime;

namespace MeshClient;

/// <summary>
/// What the mesh did with one request: the Envoy response flags, the attempts made, the endpoint
/// the last attempt went to and whether the response came from the fallback cache. Read it with
/// <see cref="MeshResponseExtensions.GetMeshResult(HttpResponseMessage)"/>.
/// </summary>
public sealed class MeshResult
{
    private const string BlackHoleCluster = "BlackHoleCluster";

    internal MeshResult()
    {
    }

    /// <summary>Gets the Envoy response flags; <see cref="MeshResponseFlags.None"/> for a normal response.</summary>
    public MeshResponseFlags Flags { get; internal set; }

    /// <summary>Gets the number of attempts sent (or tried) upstream.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Gets the endpoint (<c>10.0.0.1:8080</c>) of the last attempt, or <see langword="null"/> when none was chosen.</summary>
    public string? Endpoint { get; internal set; }

    /// <summary>Gets the external service that handled the request, or <see langword="null"/> for an unregistered host.</summary>
    public string? Service => Route?.ServiceName;

    /// <summary>Gets Envoy's name of the cluster, for example <c>outbound|443||api.example.com</c>, <c>PassthroughCluster</c> or <c>BlackHoleCluster</c>.</summary>
    public string? Cluster => Route is { } route ? route.Name
        : (Flags & MeshResponseFlags.NoRouteFound) != 0 ? BlackHoleCluster : null;

    /// <summary>Gets a value indicating whether the response was served from the fallback cache.</summary>
    public bool FromCache { get; internal set; }

    /// <summary>The cluster the request was routed to (fields are kept small: one is allocated per request).</summary>
    internal Cluster? Route { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"flags={Flags.ToEnvoyString()} attempts={Attempts} endpoint={Endpoint ?? "-"} cluster={Cluster ?? "-"}{(FromCache ? " from-cache" : string.Empty)}";
}
