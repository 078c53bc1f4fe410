using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Runtime;

namespace MeshClient.Tests.TestSupport;

/// <summary>Shorthands for driving pickers, endpoints and clusters directly in unit tests.</summary>
internal static class AttemptTestExtensions
{
    public static readonly AttemptOutcome Ok = AttemptOutcome.Response(200, 0, 0);

    public static readonly AttemptOutcome ServerError = AttemptOutcome.Response(503, 0, 0);

    /// <summary>A pick with an empty context (no request, nothing tried).</summary>
    public static MeshEndpoint? Pick(this EndpointPicker picker) => picker.Pick(default).Endpoint;

    /// <summary>Starts an attempt on the endpoint; <see langword="null"/> when it is retired.</summary>
    public static EndpointPool? Start(this MeshEndpoint endpoint) => endpoint.TryStart();

    public static void End(this MeshEndpoint endpoint, EndpointPool pool, bool success) =>
        endpoint.OnEnd(pool, success ? Ok : ServerError);

    /// <summary>Picks and starts an attempt on the cluster, as the endpoint handler does.</summary>
    public static StartedAttempt? Start(this Cluster cluster)
    {
        var pick = cluster.StartAttempt(default, out var pool, out var admission);
        return pick.Endpoint is null || admission.IsOverflow ? null : new StartedAttempt(cluster, pick, pool!, admission);
    }
}

/// <summary>An attempt started on a cluster, to end with an outcome.</summary>
internal sealed record StartedAttempt(Cluster Cluster, PickResult Pick, EndpointPool Pool, AdmissionTicket Admission)
{
    public MeshEndpoint Endpoint => Pick.Endpoint!;

    public void End(bool success = true) => Cluster.EndAttempt(Pick, Pool, Admission, success ? AttemptTestExtensions.Ok : AttemptTestExtensions.ServerError);

    public void End(in AttemptOutcome outcome) => Cluster.EndAttempt(Pick, Pool, Admission, outcome);
}
