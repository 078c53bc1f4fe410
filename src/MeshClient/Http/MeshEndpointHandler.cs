using MeshClient.Connections;
using MeshClient.LoadBalancing;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// The terminal handler: one attempt. Picks an endpoint of the request's cluster and sends on that
/// endpoint's connection pool, whose connections go to the endpoint's address while the request
/// URI keeps the logical host (so the Host header, TLS SNI and certificate validation use the
/// service name; see <see cref="ClusterConnections"/>). Every attempt ends in one place,
/// <see cref="Cluster.EndAttempt"/>, with its outcome.
/// </summary>
/// <remarks>
/// An attempt does not build the caller's response: a response is returned as it is, an upstream
/// failure leaves as an <see cref="AttemptFailedException"/> (Envoy's flag) for the route's pipeline
/// in <see cref="MeshRoutingHandler"/> to decide on, and anything else (the caller's cancellation,
/// the caller's own error) propagates unchanged. Attempts keep their own state off the shared
/// <see cref="MeshResult"/>, so that several may run at once. Borrows everything from
/// <see cref="MeshRuntime"/>; disposing it disposes nothing shared.
/// </remarks>
internal sealed class MeshEndpointHandler : HttpMessageHandler
{
    private readonly MeshRuntime _runtime;
    private HttpMessageInvoker? _standalone;

    public MeshEndpointHandler(MeshRuntime runtime) => _runtime = runtime;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException("An absolute request URI (or an HttpClient.BaseAddress) is required.");
        }

        if (!request.Options.TryGetValue(MeshResponseExtensions.ResultKey, out var result)
            || result.TargetCluster is null
            || !request.Options.TryGetValue(AttemptContext.Key, out var attempt))
        {
            // No MeshRoutingHandler above this one (the handler used on its own): route here, through one.
            _standalone ??= new HttpMessageInvoker(new Telemetry.MeshTelemetryHandler(_runtime.Telemetry) { InnerHandler = new MeshRoutingHandler(_runtime) { InnerHandler = new Attempts(this) } }, disposeHandler: true);
            return _standalone.SendAsync(request, cancellationToken);
        }

        return SendAttempt(_runtime, request, result, attempt, cancellationToken);
    }

    /// <summary>Synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/>: the same attempt, waited for.</summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _standalone?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Starts one attempt on the request's cluster and returns the upstream's task as it is: no state
    /// machine of its own. The attempt ends here when the response is already there, otherwise in
    /// <see cref="MeshRoutingHandler"/>, which awaits it (<see cref="AttemptContext"/>).
    /// </summary>
    private static Task<HttpResponseMessage> SendAttempt(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, AttemptContext attempt, CancellationToken cancellationToken)
    {
        if (result.TargetCluster!.Dns is { HasResolved: false } dns)
        {
            return SendAfterFirstResolutionAsync(runtime, request, result, attempt, dns, cancellationToken);
        }

        return SendAttemptCore(runtime, request, result, attempt, cancellationToken);
    }

    /// <summary>
    /// A DNS cluster that has not resolved yet: the request waits for the first resolution, bounded
    /// by <see cref="Configuration.DnsOptions.FirstResolutionTimeout"/>; without any address then, the
    /// attempt fails with Envoy's <c>DF</c>. Later refreshes never delay a request.
    /// </summary>
    private static async Task<HttpResponseMessage> SendAfterFirstResolutionAsync(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, AttemptContext attempt, Discovery.DnsDiscovery dns, CancellationToken cancellationToken)
    {
        if (!dns.FirstRefresh.IsCompleted)
        {
            try
            {
                await dns.FirstRefresh.WaitAsync(dns.FirstResolutionTimeout, runtime.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // no answer in time: decided below
            }
        }

        if (!dns.HasResolved && result.TargetCluster!.Endpoints.Length == 0)
        {
            attempt.NotStarted();
            throw new AttemptFailedException(MeshResponseFlags.DnsResolutionFailure, null, null);
        }

        return await SendAttemptCore(runtime, request, result, attempt, cancellationToken).ConfigureAwait(false);
    }

    private static Task<HttpResponseMessage> SendAttemptCore(MeshRuntime runtime, HttpRequestMessage request, MeshResult result, AttemptContext attempt, CancellationToken cancellationToken)
    {
        var cluster = MeshRouter.Acquire(runtime, result.TargetCluster!, result);
        if (cluster is null)
        {
            // A reload since the routing decision removed the cluster.
            attempt.NotStarted();
            return Task.FromException<HttpResponseMessage>(new AttemptFailedException(MeshResponseFlags.NoRouteFound, null, null));
        }

        RetryRequests.ConsumeRetryHeaders(request);
        var attemptNumber = result.AddAttempt();
        if (runtime.Telemetry.Settings.IncludeAttemptCount)
        {
            RetryRequests.SetAttemptCount(request.Headers, attemptNumber);
        }

        var start = cluster.TimeProvider.GetTimestamp();
        PickResult pick = default;
        EndpointPool? pool = null;
        AdmissionTicket admission;
        var connections = cluster.PassthroughConnections;
        if (connections is null)
        {
            try
            {
                pick = cluster.StartAttempt(new PickContext(request, attempt.IgnorePreviousHosts ? result.Tried : null, result), out pool, out admission);
            }
            catch
            {
                cluster.Release();
                throw;
            }

            if (pick.Endpoint is not { } endpoint)
            {
                cluster.Release();
                attempt.NotStarted();
                return Task.FromException<HttpResponseMessage>(new AttemptFailedException(MeshResponseFlags.NoHealthyUpstream, null, null));
            }

            if (admission.IsOverflow)
            {
                return Overflow(cluster, attempt, endpoint.Authority);
            }

            result.RecordTried(endpoint);
            connections = pool!.Invoker;
        }
        else
        {
            admission = cluster.Admit(request);
            if (admission.IsOverflow)
            {
                return Overflow(cluster, attempt, null);
            }
        }

        attempt.Started(cluster, pick, pool, admission, start);
        runtime.Telemetry.OnAttemptStarted(request, result, attempt, cluster, pick.Endpoint);
        if (admission.MustWait)
        {
            return SendWhenAdmittedAsync(admission.Waiter!, connections, request, cancellationToken);
        }

        Task<HttpResponseMessage> sending;
        try
        {
            sending = connections.SendAsync(request, cancellationToken);
        }
#pragma warning disable CA1031 // Not swallowed: the faulted task is awaited (and classified) by the routing handler.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            sending = Task.FromException<HttpResponseMessage>(ex);
        }

        if (sending.IsCompletedSuccessfully)
        {
            attempt.Succeeded(sending.Result);
        }

        return sending;
    }

    /// <summary>A connection-pool limit refused the attempt: Envoy's <c>UO</c>, never sent, never counted against the endpoint.</summary>
    private static Task<HttpResponseMessage> Overflow(Cluster cluster, AttemptContext attempt, string? endpoint)
    {
        cluster.Release();
        attempt.NotStarted();
        cluster.Telemetry.OnOverflow(cluster);
        return Task.FromException<HttpResponseMessage>(new AttemptFailedException(MeshResponseFlags.UpstreamOverflow, endpoint, null));
    }

    /// <summary>
    /// The attempt waits for a connection slot (Envoy's pending request), then is sent. Cancelled
    /// while it waits, it ends unsent and its place in the queue is given up when it ends.
    /// </summary>
    private static async Task<HttpResponseMessage> SendWhenAdmittedAsync(PendingAttempt admitted, HttpMessageInvoker connections, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await admitted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // Granted as it was cancelled (the route timeout cancels every attempt at once): not sent.
        cancellationToken.ThrowIfCancellationRequested();
        admitted.MarkSent();
        return await connections.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>This handler's attempts, under the routing handler that the handler builds when used on its own.</summary>
    private sealed class Attempts(MeshEndpointHandler handler) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);
    }
}
