namespace MeshClient.Resilience;

/// <summary>
/// A route's total timeout, run by the routing handler in its own asynchronous frame rather than as a
/// Polly timeout strategy around the attempts — on routes whose pipeline would hold nothing else (no
/// hedging, no per-try timeout, no fault): the common case, Istio's defaults included. It behaves as
/// Polly's timeout does (the attempts' token is cancelled when it expires; an attempt cancelled by it
/// becomes a <see cref="Polly.Timeout.TimeoutRejectedException"/>; a result that arrives anyway is kept),
/// and saves the two asynchronous frames a pipeline callback costs on every request.
/// </summary>
internal sealed class RouteTimeout
{
    /// <summary>
    /// Longer timeouts are none: a timer cannot be armed beyond ~49 days, and HttpClient's own timeout
    /// (100 s by default) ends the request long before.
    /// </summary>
    internal static readonly TimeSpan Longest = TimeSpan.FromDays(24);

    /// <summary>Sources kept for reuse, shared by every route on the system clock (a request's source is often returned on another thread than it was taken on).</summary>
    private static readonly Runtime.SpareObjects<CancellationTokenSource> Spares = new();

    private readonly TimeProvider _timeProvider;
    private readonly bool _systemClock;

    public RouteTimeout(TimeSpan duration, TimeProvider timeProvider)
    {
        Duration = duration;
        _timeProvider = timeProvider;
        _systemClock = ReferenceEquals(timeProvider, TimeProvider.System);
    }

    /// <summary>The timeout, from the first attempt's start to the response headers, across every retry and back-off.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Whether <paramref name="duration"/> is a timeout to run (positive, and not beyond <see cref="Longest"/>).</summary>
    public static bool Applies(TimeSpan duration) => duration > TimeSpan.Zero && duration <= Longest;

    /// <summary>
    /// A source cancelled when the timeout expires, or when <paramref name="callerToken"/> is cancelled
    /// (through <paramref name="link"/>, disposed by <see cref="End"/>).
    /// </summary>
    public CancellationTokenSource Start(CancellationToken callerToken, out CancellationTokenRegistration link)
    {
        CancellationTokenSource source;
        if (_systemClock)
        {
            // On the system clock a reset source re-arms its own timer: nothing allocated per request
            // (a source on TimeProvider.System would be new every time, with its own timer). Any other clock (a
            // test's fake) gets a source of its own.
            source = Spares.TryTake() ?? new CancellationTokenSource();
#pragma warning disable RS0030 // CancelAfter runs on the system clock, which is the injected TimeProvider here.
            source.CancelAfter(Duration);
#pragma warning restore RS0030
        }
        else
        {
            source = new CancellationTokenSource(Duration, _timeProvider);
        }

        link = callerToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source);
        return source;
    }

    /// <summary>The request is done with <paramref name="source"/>: unlinked from the caller's token, then kept for the next request when it can be reset.</summary>
    public void End(CancellationTokenSource source, CancellationTokenRegistration link)
    {
        link.Dispose();
        if (_systemClock && source.TryReset() && Spares.TryKeep(source))
        {
            return;
        }

        source.Dispose();
    }

    /// <summary>The exception a timed-out request carries, as Polly's timeout would give it.</summary>
    public Polly.Timeout.TimeoutRejectedException Rejected(Exception cancellation) =>
        new($"The operation didn't complete within the allowed timeout of '{Duration}'.", Duration, cancellation);
}
