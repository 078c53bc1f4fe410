namespace MeshClient.Health;

/// <summary>
/// How one attempt on one endpoint ended, as every policy that learns from traffic sees it: the
/// one path that ends an attempt (<c>Cluster.EndAttempt</c>) hands it to the endpoint's counters,
/// the picker's tracker and the cluster's policies.
/// </summary>
/// <remarks>
/// The split follows Envoy's outlier detection: an HTTP status is the upstream's answer
/// (<see cref="IsLocalOrigin"/> false); a connect failure, a reset or a timeout is decided locally
/// (<see cref="IsLocalOrigin"/> true, with Envoy's response <see cref="Flags"/>). A caller's
/// cancellation is neither a success nor a failure and must never feed health.
/// </remarks>
internal readonly struct AttemptOutcome
{
    private AttemptOutcome(int statusCode, MeshResponseFlags flags, AttemptOutcomeKind kind, long startTimestamp, long endTimestamp)
    {
        StatusCode = statusCode;
        Flags = flags;
        Kind = kind;
        StartTimestamp = startTimestamp;
        EndTimestamp = endTimestamp;
    }

    /// <summary>The upstream's status code, or 0 when there was no response.</summary>
    public int StatusCode { get; }

    /// <summary>Envoy's flags for a locally decided failure (<c>UF</c>, <c>UC</c>, <c>UT</c>, <c>DF</c>); none for a response.</summary>
    public MeshResponseFlags Flags { get; }

    public AttemptOutcomeKind Kind { get; }

    /// <summary>When the attempt started, in <see cref="TimeProvider.GetTimestamp"/> ticks of the cluster's provider.</summary>
    public long StartTimestamp { get; }

    /// <summary>When the attempt ended, in the same ticks.</summary>
    public long EndTimestamp { get; }

    /// <summary>Whether the failure was decided locally (no status code from the upstream).</summary>
    public bool IsLocalOrigin => Kind == AttemptOutcomeKind.LocalFailure;

    /// <summary>Whether the caller cancelled the attempt: neither success nor failure.</summary>
    public bool IsCancelled => Kind == AttemptOutcomeKind.Cancelled;

    /// <summary>Whether the connection pool's limits kept the attempt from being sent (Envoy <c>UO</c>): neither success nor failure.</summary>
    public bool IsOverflow => Kind == AttemptOutcomeKind.Overflow;

    /// <summary>Whether the attempt counts as a success for health: a response below 500.</summary>
    public bool IsSuccess => Kind == AttemptOutcomeKind.Response && StatusCode < 500;

    /// <summary>Whether the attempt counts as a failure for health: a 5xx, or a local failure.</summary>
    public bool IsFailure => Kind == AttemptOutcomeKind.LocalFailure || (Kind == AttemptOutcomeKind.Response && StatusCode >= 500);

    public static AttemptOutcome Response(int statusCode, long startTimestamp, long endTimestamp) =>
        new(statusCode, MeshResponseFlags.None, AttemptOutcomeKind.Response, startTimestamp, endTimestamp);

    public static AttemptOutcome LocalFailure(MeshResponseFlags flags, long startTimestamp, long endTimestamp) =>
        new(0, flags, AttemptOutcomeKind.LocalFailure, startTimestamp, endTimestamp);

    public static AttemptOutcome Cancelled(long startTimestamp, long endTimestamp) =>
        new(0, MeshResponseFlags.None, AttemptOutcomeKind.Cancelled, startTimestamp, endTimestamp);

    /// <summary>
    /// Not the upstream's fault: the request could not be sent for a reason of the caller's (content
    /// that throws, an invalid request). Neither success nor failure, like a cancellation.
    /// </summary>
    public static AttemptOutcome CallerError(long startTimestamp, long endTimestamp) =>
        new(0, MeshResponseFlags.None, AttemptOutcomeKind.CallerError, startTimestamp, endTimestamp);

    /// <summary>
    /// The connection pool refused the attempt (a limit was reached, Envoy <c>UO</c>), or the attempt
    /// ended while it waited for a connection: it was never sent, so it is neither success nor failure
    /// and never counts against the endpoint (Envoy's circuit breakers do not feed outlier detection).
    /// </summary>
    public static AttemptOutcome Overflow(long startTimestamp, long endTimestamp) =>
        new(0, MeshResponseFlags.UpstreamOverflow, AttemptOutcomeKind.Overflow, startTimestamp, endTimestamp);

    /// <summary>The attempt's duration on <paramref name="timeProvider"/>.</summary>
    public TimeSpan Elapsed(TimeProvider timeProvider) => timeProvider.GetElapsedTime(StartTimestamp, EndTimestamp);
}

/// <summary>How an attempt ended.</summary>
internal enum AttemptOutcomeKind
{
    /// <summary>The upstream answered with a status code.</summary>
    Response,

    /// <summary>No response: connect failure, reset, timeout (Envoy's local-origin errors).</summary>
    LocalFailure,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>The caller's request could not be sent (not the upstream's fault).</summary>
    CallerError,

    /// <summary>The connection pool's limits kept the attempt from being sent (not the upstream's fault).</summary>
    Overflow,
}
