using MeshClient.Configuration;
using MeshClient.Runtime;
using Polly;
using Polly.Timeout;

namespace MeshClient.Http;

/// <summary>
/// Looks the request's host and port up in the mesh registry, applies the outbound traffic policy
/// and hands the request, with its cluster, to the attempts below — through the route's Polly
/// pipeline (the route timeout) when the route has one. Holds no state of its own:
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
        var cluster = MeshRouter.Resolve(_runtime, state, uri, result);
        if (cluster is null)
        {
            return Task.FromResult(MeshResponses.Blocked(request, result, state.FailureMode, uri.IdnHost, uri.Port));
        }

        return cluster.Pipeline is { } pipeline
            ? SendThroughPipelineAsync(pipeline, request, result, state.FailureMode, cancellationToken)
            : base.SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendThroughPipelineAsync(ResiliencePipeline<HttpResponseMessage> pipeline, HttpRequestMessage request, MeshResult result, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendInnerAsync(state.Request, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext));
                    }
#pragma warning disable CA1031 // Not swallowed: an outcome carries it to the pipeline, and it is rethrown below.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);

            if (outcome.Exception is TimeoutRejectedException timeout)
            {
                return MeshResponses.Timeout(request, result, mode, timeout.Timeout, timeout);
            }

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
