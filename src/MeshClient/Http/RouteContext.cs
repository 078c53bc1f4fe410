using Polly;

namespace MeshClient.Http;

/// <summary>What a route's Polly strategies may read from the pipeline's context (set only for routes whose strategies need it: faults).</summary>
internal static class RouteContext
{
    public static readonly ResiliencePropertyKey<HttpRequestMessage> Request = new("MeshClient.Request");

    public static readonly ResiliencePropertyKey<MeshResult> Result = new("MeshClient.Result");
}
