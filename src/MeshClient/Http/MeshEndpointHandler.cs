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

        if (request.Options.TryGetValue(MeshResponseExtensions.ResultKey, out var result) && result.Route is { } cluster)
        {
            return SendAttemptAsync(request, result, cluster, _runtime.State.FailureMode, cancellationToken);
        }

        // Used without MeshRoutingHandler above it: route here.
        result = new MeshResult();
        request.Options.Set(MeshResponseExtensions.ResultKey, result);
        cluster = MeshRouter.Acquire(_runtime, uri, result, out var state);
        return cluster is null
            ? Task.FromResult(MeshResponses.Blocked(request, result, state.FailureMode, uri.IdnHost, uri.Port))
            : SendAndReleaseAsync(request, result, cluster, state.FailureMode, cancellationToken);
    }

    private static async Task<HttpResponseMessage> SendAndReleaseAsync(HttpRequestMessage request, MeshResult result, Cluster cluster, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAttemptAsync(request, result, cluster, mode, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            cluster.Release();
        }
    }

    private static Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, MeshResult result, Cluster cluster, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        result.Attempts++;
        if (cluster.Definition.IsPassthrough)
        {
            return SendPassthroughAsync(request, result, cluster, mode, cancellationToken);
        }

        var endpoint = cluster.Pick();
        if (endpoint is null)
        {
            return Task.FromResult(MeshResponses.UpstreamFailure(request, result, mode, MeshResponseFlags.NoHealthyUpstream, null));
        }

        result.Endpoint = endpoint.Authority;
        return SendToEndpointAsync(request, result, cluster, endpoint, mode, cancellationToken);
    }

    private static async Task<HttpResponseMessage> SendToEndpointAsync(HttpRequestMessage request, MeshResult result, Cluster cluster, MeshEndpoint endpoint, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        var original = request.RequestUri!;
        var setHost = request.Headers.Host is null;
        request.RequestUri = endpoint.Rewrite(original);
        if (setHost)
        {
            request.Headers.Host = original.Authority;
        }

        endpoint.OnStart();
        var success = false;
        try
        {
            var response = await cluster.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
            success = (int)response.StatusCode < 500;
            return response;
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return MeshResponses.UpstreamFailure(request, result, mode, MeshResponses.Classify(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation: the connect timeout fired.
            return MeshResponses.UpstreamFailure(request, result, mode, MeshResponseFlags.UpstreamConnectionFailure, ex);
        }
        finally
        {
            endpoint.OnEnd(success);
            request.RequestUri = original;
            if (setHost)
            {
                request.Headers.Host = null;
            }
        }
    }

    private static async Task<HttpResponseMessage> SendPassthroughAsync(HttpRequestMessage request, MeshResult result, Cluster cluster, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        var original = request.RequestUri!;
        var overridePort = cluster.Definition.PassthroughPort;
        var setHost = false;
        if (overridePort is { } port && port != original.Port)
        {
            // resolution NONE with targetPort: Envoy's ORIGINAL_DST upstream port override.
            setHost = request.Headers.Host is null;
            request.RequestUri = new UriBuilder(original) { Port = port }.Uri;
            if (setHost)
            {
                request.Headers.Host = original.Authority;
            }
        }

        try
        {
            return await cluster.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return MeshResponses.UpstreamFailure(request, result, mode, MeshResponses.Classify(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return MeshResponses.UpstreamFailure(request, result, mode, MeshResponseFlags.UpstreamConnectionFailure, ex);
        }
        finally
        {
            request.RequestUri = original;
            if (setHost)
            {
                request.Headers.Host = null;
            }
        }
    }
}
