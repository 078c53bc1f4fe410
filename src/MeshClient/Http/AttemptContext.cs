using MeshClient.Connections;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// The attempt in flight on one request object: started by <see cref="MeshEndpointHandler"/> (the
/// cluster, the pick, the pool, the start time) and ended — once — by whoever sees its result first:
/// the endpoint handler when the response is already there, otherwise <see cref="MeshRoutingHandler"/>
/// when it awaits the attempt. So an attempt costs no state machine of its own. Attempts of one
/// request run one after the other on it; attempts that overlap (hedging) each send their own copy of
/// the request, with their own context.
/// </summary>
internal sealed partial class AttemptContext
{
    public static readonly HttpRequestOptionsKey<AttemptContext> Key = new("MeshClient.Attempt");

    /// <summary>Contexts of hops that ended, for the next requests: a request allocates none in the steady state.</summary>
    private static readonly SpareObjects<AttemptContext> Spares = new();

    private Cluster? _cluster;
    private PickResult _pick;
    private EndpointPool? _pool;
    private AdmissionTicket _admission;
    private long _start;

    /// <summary>The route of the request's current hop (its response header operations apply to the response).</summary>
    public MeshRoute? Route { get; set; }

    /// <summary>The destination the current hop's route chose.</summary>
    public RouteTarget? Target { get; set; }

    /// <summary>The endpoint the last attempt went to, or <see langword="null"/> (none picked, or the passthrough cluster).</summary>
    public string? Endpoint { get; private set; }

    /// <summary>A context for a request's hop: a kept one when there is one. Hand it back with <see cref="EndHop"/>.</summary>
    public static AttemptContext ForHop(HttpRequestMessage request)
    {
        var attempt = Spares.TryTake() ?? new AttemptContext();
        request.Options.Set(Key, attempt);
        return attempt;
    }

    /// <summary>
    /// The hop's attempts are over and its response (or failure) is built: the context leaves the request and,
    /// unless <paramref name="mayReuse"/> is <see langword="false"/> (hedged attempts may still run when the
    /// winner returns) or an attempt is somehow still in flight, is reset and kept for another request.
    /// </summary>
    public static void EndHop(HttpRequestMessage request, AttemptContext attempt, bool mayReuse = true)
    {
        ((IDictionary<string, object?>)request.Options).Remove(Key.Key);
        if (!mayReuse || attempt._cluster is not null)
        {
            return; // dropped for the GC: nothing may see it reused
        }

        attempt.Reset();
        Spares.TryKeep(attempt);
    }

    /// <summary>Records a started attempt; the cluster was acquired for it and is released when it ends.</summary>
    public void Started(Cluster cluster, in PickResult pick, EndpointPool? pool, in AdmissionTicket admission, long start)
    {
        _cluster = cluster;
        _pick = pick;
        _pool = pool;
        _admission = admission;
        _start = start;
        Endpoint = pick.Endpoint?.Authority;
    }

    /// <summary>No attempt could start (no endpoint): only the endpoint is forgotten.</summary>
    public void NotStarted() => Endpoint = null;

    /// <summary>Ends the attempt in flight, if any, with the upstream's response.</summary>
    public void Succeeded(HttpResponseMessage response)
    {
        if (_cluster is { } cluster)
        {
            End(cluster, AttemptOutcome.Response((int)response.StatusCode, _start, cluster.TimeProvider.GetTimestamp()));
        }
    }

    /// <summary>
    /// Ends the attempt in flight, if any, with <paramref name="exception"/> classified by the one
    /// classifier, and returns what to surface: an <see cref="AttemptFailedException"/> for an upstream
    /// failure (Envoy's flag), otherwise the exception itself (the caller's cancellation, the route's
    /// timeout, the caller's own error).
    /// </summary>
    public Exception Failed(Exception exception, CancellationToken callerToken, CancellationToken attemptToken)
    {
        if (exception is AttemptFailedException)
        {
            return exception; // decided before any attempt started (no endpoint, blocked)
        }

        var kind = AttemptFailures.Classify(exception, out var flags, out var conditions, callerToken, attemptToken);
        if (_cluster is { } cluster)
        {
            End(cluster, AttemptFailures.Outcome(kind, flags, _start, cluster.TimeProvider.GetTimestamp()));
        }

        return kind == AttemptFailureKind.Upstream ? new AttemptFailedException(flags, Endpoint, exception) { Conditions = conditions } : exception;
    }

    private void Reset()
    {
        Route = null;
        Target = null;
        Endpoint = null;
        _pick = default;
        _pool = null;
        _admission = default;
        _start = 0;
        ResetRetries();
        ResetTelemetry();
        ResetHop();
    }

    private void End(Cluster cluster, in AttemptOutcome outcome)
    {
        _cluster = null;
        cluster.EndAttempt(in _pick, _pool, in _admission, in outcome);
        EndTelemetry(cluster, in outcome);
        _pick = default;
        _pool = null;
        _admission = default;
        cluster.Release();
    }
}
