using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// The terminal handler: one attempt. Picks an endpoint of the request's cluster, rewrites the
/// request URI's authority to it while the Host header keeps the logical host (so TLS SNI and
/// certificate validation use the service name), sends on the cluster's shared
/// <see cref="SocketsHttpHandler"/>, records the outcome and restores the URI. Borrows everything
/// from <see cref="MeshRuntime"/>; disposing it disposes nothing shared.
/// </summary>
internal sealed class MeshEndpointHandler : HttpMessageHandler
{
    private readonly MeshRuntime _runtime;

    public MeshEndpointHandler(MeshRuntime runtime) => _runtime = runtime;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException("An absolute request URI (or an HttpClient.BaseAddress) is required.");
        }

        var state = _runtime.State;
        if (!request.Options.TryGetValue(MeshResponseExtensions.ResultKey, out var result) || result.Route is null)
        {
            // Used without MeshRoutingHandler above it: route here.
            result = new MeshResult();
            request.Options.Set(MeshResponseExtensions.ResultKey, result);
            MeshRouter.Resolve(_runtime, state, uri, result);
        }

        var cluster = result.Route is { } route ? MeshRouter.Acquire(_runtime, route, uri, result) : null;
        return cluster is null
            ? Task.FromResult(MeshResponses.Blocked(request, result, state.FailureMode, uri.IdnHost, uri.Port))
            : SendAttemptAsync(_runtime, request, result, cluster, state.FailureMode, cancellationToken);
    }

    /// <summary>One attempt on an acquired cluster; releases it, restores the URI and the Host header.</summary>
    private static async Task<HttpResponseMessage> SendAttemptAsync(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, Cluster cluster, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        result.Attempts++;
        var original = request.RequestUri!;
        MeshEndpoint? endpoint = null;
        var setHost = false;
        var success = false;
        try
        {
            string? host;
            if (cluster.Definition.IsPassthrough)
            {
                // resolution NONE (and unknown hosts): the requested host, unless a targetPort overrides the port.
                if (cluster.TryOverridePassthroughPort(original, out var target, out host))
                {
                    request.RequestUri = target;
                }
            }
            else
            {
                endpoint = cluster.Pick();
                if (endpoint is null)
                {
                    return MeshResponses.UpstreamFailure(request, result, mode, MeshResponseFlags.NoHealthyUpstream, null);
                }

                result.Endpoint = endpoint.Authority;
                request.RequestUri = endpoint.Rewrite(original);
                host = cluster.HostHeader(original);
                endpoint.OnStart();
            }

            if (host is not null && request.Headers.Host is null)
            {
                request.Headers.Host = host;
                setHost = true;
            }

            var response = await cluster.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
            success = (int)response.StatusCode < 500;
            return response;
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(runtime, request, result, mode, MeshResponses.Classify(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation: the connect timeout fired.
            return Failed(runtime, request, result, mode, MeshResponseFlags.UpstreamConnectionFailure, ex);
        }
        finally
        {
            endpoint?.OnEnd(success);
            request.RequestUri = original;
            if (setHost)
            {
                request.Headers.Host = null;
            }

            cluster.Release();
        }
    }

    private static HttpResponseMessage Failed(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, MeshFailureMode mode, MeshResponseFlags flags, Exception exception)
    {
        runtime.OnUpstreamFailure(result, flags, exception);
        return MeshResponses.UpstreamFailure(request, result, mode, flags, exception);
    }
}
