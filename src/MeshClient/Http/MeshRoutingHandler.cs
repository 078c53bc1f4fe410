using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// Looks the request's host and port up in the mesh registry, applies the outbound traffic policy
/// and hands the request, with its cluster, to the attempts below. Holds no state of its own:
/// <c>IHttpClientFactory</c> may recycle it at any time.
/// </summary>
internal sealed class MeshRoutingHandler : DelegatingHandler
{
    private readonly MeshRuntime _runtime;

    public MeshRoutingHandler(MeshRuntime runtime) => _runtime = runtime;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            // Let the inner handlers report the missing URI as they always do.
            return base.SendAsync(request, cancellationToken);
        }

        var result = new MeshResult();
        request.Options.Set(MeshResponseExtensions.ResultKey, result);
        var state = _runtime.State;
        return MeshRouter.Resolve(_runtime, state, uri, result) is null
            ? Task.FromResult(MeshResponses.Blocked(request, result, state.FailureMode, uri.IdnHost, uri.Port))
            : base.SendAsync(request, cancellationToken);
    }
}
