using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// The terminal handler: one attempt. Picks an endpoint of the request's cluster and sends on that
/// endpoint's connection pool, whose connections go to the endpoint's address while the request
/// URI keeps the logical host (so the Host header, TLS SNI and certificate validation use the
/// service name; see <see cref="Connections.ClusterConnections"/>); then records the outcome.
/// Borrows everything from <see cref="MeshRuntime"/>; disposing it disposes nothing shared.
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
            : SendAttempt(_runtime, request, result, cluster, state.FailureMode, cancellationToken);
    }

    /// <summary>
    /// One attempt on an acquired cluster; releases it. Not <see langword="async"/>: an attempt whose
    /// response is already there (an in-memory handler, a cached response) allocates no state machine.
    /// </summary>
    private static Task<HttpResponseMessage> SendAttempt(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, Cluster cluster, MeshFailureMode mode, CancellationToken cancellationToken)
    {
        result.Attempts++;
        MeshEndpoint? endpoint = null;
        var connections = cluster.PassthroughConnections;
        if (connections is null)
        {
            endpoint = cluster.StartAttempt();
            if (endpoint is null)
            {
                try
                {
                    return Task.FromResult(MeshResponses.UpstreamFailure(request, result, mode, MeshResponseFlags.NoHealthyUpstream, null));
                }
                finally
                {
                    cluster.Release();
                }
            }

            result.Endpoint = endpoint.Authority;
            connections = endpoint.Connections;
        }

        // QUIC connections do not go through the endpoint pool's ConnectCallback: never let an
        // attempt to an endpoint use (or upgrade to) HTTP/3, or it would go to the host's DNS address.
        Version? askedVersion = null;
        var askedPolicy = request.VersionPolicy;
        if (endpoint is not null && AllowsHttp3(request))
        {
            askedVersion = request.Version;
            CapBelowHttp3(request);
        }

        Task<HttpResponseMessage> sending;
        try
        {
            sending = connections.SendAsync(request, cancellationToken);
        }
#pragma warning disable CA1031 // Not swallowed: the faulted task is awaited (and classified or rethrown) below.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            sending = Task.FromException<HttpResponseMessage>(ex);
        }

        if (sending.IsCompletedSuccessfully && askedVersion is null)
        {
            End(cluster, endpoint, sending.Result);
            return sending;
        }

        return AwaitAttemptAsync(runtime, sending, request, result, cluster, endpoint, mode, askedVersion, askedPolicy, cancellationToken);
    }

    private static async Task<HttpResponseMessage> AwaitAttemptAsync(MeshRuntime runtime, Task<HttpResponseMessage> sending, HttpRequestMessage request, MeshResult result, Cluster cluster, MeshEndpoint? endpoint, MeshFailureMode mode, Version? askedVersion, HttpVersionPolicy askedPolicy, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await sending.ConfigureAwait(false);
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
            End(cluster, endpoint, response);
            if (askedVersion is not null)
            {
                request.Version = askedVersion;
                request.VersionPolicy = askedPolicy;
            }
        }
    }

    internal static bool AllowsHttp3(HttpRequestMessage request) =>
        request.Version.Major >= 3 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher;

    /// <summary>
    /// The same versions the request allows, minus HTTP/3: 3.0 becomes "2.0 or lower" (HTTP/2 by
    /// ALPN over TLS, else HTTP/1.1); "2.0 or higher" becomes exactly 2.0; "1.x or higher" becomes
    /// "2.0 or lower".
    /// </summary>
    internal static void CapBelowHttp3(HttpRequestMessage request)
    {
        if (request.Version.Major == 2 && request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher)
        {
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return;
        }

        request.Version = System.Net.HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
    }

    /// <summary>Ends the attempt: the endpoint's counters (a 5xx or no response is a failure), then the cluster.</summary>
    private static void End(Cluster cluster, MeshEndpoint? endpoint, HttpResponseMessage? response)
    {
        endpoint?.OnEnd(response is not null && (int)response.StatusCode < 500);
        cluster.Release();
    }

    private static HttpResponseMessage Failed(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, MeshFailureMode mode, MeshResponseFlags flags, Exception exception)
    {
        runtime.OnUpstreamFailure(result, flags, exception);
        return MeshResponses.UpstreamFailure(request, result, mode, flags, exception);
    }
}
