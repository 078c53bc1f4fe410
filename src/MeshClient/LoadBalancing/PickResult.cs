using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// A picker's choice (grpc-dotnet's <c>PickResult.ForSubchannel</c>): the endpoint, or none (Envoy
/// <c>UH</c>), and optionally a tracker that the attempt reports its start and outcome to (least
/// request, peak EWMA). A tracker is usually per endpoint and shared, so a pick allocates nothing.
/// </summary>
internal readonly struct PickResult
{
    private PickResult(MeshEndpoint? endpoint, IAttemptTracker? tracker)
    {
        Endpoint = endpoint;
        Tracker = tracker;
    }

    /// <summary>No endpoint is available.</summary>
    public static PickResult None => default;

    public MeshEndpoint? Endpoint { get; }

    public IAttemptTracker? Tracker { get; }

    public static PickResult For(MeshEndpoint endpoint, IAttemptTracker? tracker = null) => new(endpoint, tracker);
}
