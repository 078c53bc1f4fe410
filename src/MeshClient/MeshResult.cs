using MeshClient.LoadBalancing;
using MeshClient.Runtime;

namespace MeshClient;

/// <summary>
/// What the mesh did with one request: the Envoy response flags, the attempts made, the endpoint
/// the last attempt went to and whether the response came from the fallback cache. Read it with
/// <see cref="MeshResponseExtensions.GetMeshResult(HttpResponseMessage)"/>.
/// </summary>
public sealed class MeshResult
{
    private const string BlackHoleCluster = "BlackHoleCluster";

    private int _attempts;
    private Discovery.MeshEndpoint? _firstTried;
    private Details? _details;

    internal MeshResult()
    {
    }

    /// <summary>Gets the Envoy response flags; <see cref="MeshResponseFlags.None"/> for a normal response.</summary>
    public MeshResponseFlags Flags { get; internal set; }

    /// <summary>Gets the number of attempts sent (or tried) upstream.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>
    /// Gets the retries the request had, in order: for each, the attempt that failed, its endpoint and the
    /// reason (Envoy's <c>retryOn</c> condition). Empty when the first attempt answered.
    /// </summary>
    public IReadOnlyList<MeshRetry> Retries
    {
        get
        {
            if (Volatile.Read(ref _details) is not { } details || Volatile.Read(ref details.Retries) is not { } retries)
            {
                return [];
            }

            lock (retries)
            {
                return [.. retries];
            }
        }
    }

    /// <summary>Gets the endpoint (<c>10.0.0.1:8080</c>) of the last attempt, or <see langword="null"/> when none was chosen.</summary>
    public string? Endpoint { get; internal set; }

    /// <summary>Gets the external service that handled the request, or <see langword="null"/> for an unregistered host.</summary>
    public string? Service => TargetCluster?.ServiceName;

    /// <summary>
    /// Gets the host the application asked for (Istio's <c>destination_service</c>). It differs from
    /// <see cref="Service"/> and <see cref="Cluster"/> when a route sends the request to another
    /// service, such as an egress gateway: then they and <see cref="Endpoint"/> name the gateway.
    /// </summary>
    public string? DestinationService => RequestUri?.IdnHost;

    /// <summary>The request's URI when it was routed (no copy: the host is read only when asked for).</summary>
    internal Uri? RequestUri { get; set; }

    /// <summary>Gets Envoy's name of the cluster, for example <c>outbound|443||api.example.com</c>, <c>PassthroughCluster</c> or <c>BlackHoleCluster</c>.</summary>
    public string? Cluster => TargetCluster is { } cluster ? cluster.Name
        : (Flags & MeshResponseFlags.NoRouteFound) != 0 ? BlackHoleCluster : null;

    /// <summary>Gets a value indicating whether the response was served from the fallback cache.</summary>
    public bool FromCache
    {
        get => Volatile.Read(ref _details)?.FromCache ?? false;
        internal set
        {
            if (value || _details is not null)
            {
                GetDetails().FromCache = value;
            }
        }
    }

    /// <summary>
    /// Gets why the connection to the upstream failed at the TLS level (Envoy's
    /// <c>%UPSTREAM_TRANSPORT_FAILURE_REASON%</c>): the endpoint, host, SNI and what failed, such as an
    /// untrusted CA, a certificate name mismatch or a revoked certificate.
    /// </summary>
    /// <value><see langword="null"/> unless a TLS handshake failed.</value>
    public string? UpstreamTransportFailureReason
    {
        get => Volatile.Read(ref _details)?.UpstreamTransportFailureReason;
        internal set
        {
            if (value is not null || _details is not null)
            {
                GetDetails().UpstreamTransportFailureReason = value;
            }
        }
    }

    /// <summary>The cluster the request was routed to (fields are kept small: one is allocated per request).</summary>
    internal Cluster? TargetCluster { get; set; }

    /// <summary>The consistent-hash cookie generated for this request, or <see langword="null"/> (see <see cref="HashCookie"/>).</summary>
    internal HashCookie? GeneratedCookie
    {
        get => Volatile.Read(ref _details)?.GeneratedCookie;
        set
        {
            if (value is not null || _details is not null)
            {
                GetDetails().GeneratedCookie = value;
            }
        }
    }

    /// <summary>
    /// The endpoints earlier attempts of this request went to, for the next pick (Envoy's
    /// <c>previous_hosts</c>); <see langword="null"/> before a second attempt, so a request with one
    /// attempt allocates nothing for it.
    /// </summary>
    internal TriedEndpoints? Tried
    {
        get
        {
            if (Volatile.Read(ref _details) is { } known && Volatile.Read(ref known.Tried) is { } tried)
            {
                return tried;
            }

            if (Volatile.Read(ref _firstTried) is not { } first)
            {
                return null;
            }

            var details = GetDetails();
            var created = new TriedEndpoints();
            created.Add(first);
            return Interlocked.CompareExchange(ref details.Tried, created, null) ?? created;
        }
    }

    /// <summary>Records the endpoint an attempt of this request went to.</summary>
    internal void RecordTried(Discovery.MeshEndpoint endpoint)
    {
        if ((Volatile.Read(ref _details) is not { } details || Volatile.Read(ref details.Tried) is null) && Interlocked.CompareExchange(ref _firstTried, endpoint, null) is null)
        {
            return;
        }

        Tried!.Add(endpoint);
    }

    /// <summary>Records a retry (allocates only when a request retries).</summary>
    internal void RecordRetry(int attempt, string? endpoint, string reason)
    {
        var details = GetDetails();
        var retries = Volatile.Read(ref details.Retries) ?? Interlocked.CompareExchange(ref details.Retries, [], null) ?? details.Retries!;
        lock (retries)
        {
            retries.Add(new MeshRetry(attempt, endpoint, reason));
        }
    }

    /// <summary>Counts an attempt; attempts of one request may run concurrently (hedging).</summary>
    internal int AddAttempt() => Interlocked.Increment(ref _attempts);

    /// <summary>What most requests never need, allocated by the first request that does (a result is allocated per request).</summary>
    private Details GetDetails() =>
        Volatile.Read(ref _details) ?? Interlocked.CompareExchange(ref _details, new Details(), null) ?? _details!;

    /// <inheritdoc />
    public override string ToString() =>
        $"flags={Flags.ToEnvoyString()} attempts={Attempts} retries={Retries.Count} endpoint={Endpoint ?? "-"} cluster={Cluster ?? "-"}{(FromCache ? " from-cache" : string.Empty)}";

    /// <summary>The result's rarely set parts: retries, endpoints tried, TLS failure, generated hash cookie, cache.</summary>
    private sealed class Details
    {
        public TriedEndpoints? Tried;
        public List<MeshRetry>? Retries;

        public string? UpstreamTransportFailureReason { get; set; }

        public HashCookie? GeneratedCookie { get; set; }

        public bool FromCache { get; set; }
    }
}
