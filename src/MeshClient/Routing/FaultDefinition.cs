namespace MeshClient.Routing;

/// <summary>
/// A route's compiled fault injection (Istio <c>fault</c>): a delay and/or an abort, each with its
/// rate (0 to 1; Istio's percentage / 100, a missing percentage being 0, as in Istio).
/// </summary>
internal sealed record FaultDefinition(TimeSpan? Delay, double DelayRate, int? AbortStatus, int? AbortGrpcStatus, double AbortRate)
{
    /// <summary>gRPC status names (Istio <c>abort.grpcStatus</c>) and their codes.</summary>
    public static readonly IReadOnlyDictionary<string, int> GrpcCodes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["OK"] = 0,
        ["CANCELLED"] = 1,
        ["UNKNOWN"] = 2,
        ["INVALID_ARGUMENT"] = 3,
        ["DEADLINE_EXCEEDED"] = 4,
        ["NOT_FOUND"] = 5,
        ["ALREADY_EXISTS"] = 6,
        ["PERMISSION_DENIED"] = 7,
        ["RESOURCE_EXHAUSTED"] = 8,
        ["FAILED_PRECONDITION"] = 9,
        ["ABORTED"] = 10,
        ["OUT_OF_RANGE"] = 11,
        ["UNIMPLEMENTED"] = 12,
        ["INTERNAL"] = 13,
        ["UNAVAILABLE"] = 14,
        ["DATA_LOSS"] = 15,
        ["UNAUTHENTICATED"] = 16,
    };
}

/// <summary>A compiled mirror: the destination that receives copies, and the share of requests copied (0 to 1).</summary>
internal sealed record MirrorDefinition(RouteDestination Destination, double Rate);
