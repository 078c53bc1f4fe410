namespace MeshClient.Resilience;

/// <summary>
/// The retry budget of one cluster, owned by its <see cref="Runtime.Cluster"/> (so handler rotation
/// never resets it): retries in flight, and the token window. A retry asks <see cref="TryStart"/>
/// before it starts and calls <see cref="End"/> once it is over — the one integration point that a
/// cluster-wide <c>maxRetries</c> admission joins.
/// </summary>
/// <remarks>
/// The token budget is Finagle's: each request deposits <c>ratio</c> tokens that last <c>ttl</c>, a
/// reserve of <c>minRetriesPerSecond × ttl</c> is always there, each retry withdraws one. It is kept
/// in one-second buckets; a request touches one bucket with an interlocked increment.
/// </remarks>
internal sealed class ClusterRetryBudget
{
    private readonly TimeProvider _time;
    private readonly long[] _deposits;
    private readonly long[] _withdrawals;
    private readonly long[] _seconds;
    private int _inFlight;
    private long _retries;
    private long _overflows;
    private long _exhausted;

    public ClusterRetryBudget(RetryBudgetSettings? settings, TimeProvider time)
    {
        Settings = settings;
        _time = time;
        var buckets = settings?.TokenRatio is null ? 0 : settings.TtlSeconds;
        _deposits = new long[buckets];
        _withdrawals = new long[buckets];
        _seconds = new long[buckets];
        Array.Fill(_seconds, long.MinValue);
    }

    public RetryBudgetSettings? Settings { get; }

    /// <summary>Retries in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Retries started.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Retries refused by the concurrent budget (Envoy <c>upstream_rq_retry_overflow</c>).</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Retries refused by the token budget.</summary>
    public long Exhausted => Interlocked.Read(ref _exhausted);

    /// <summary>A request to the cluster that may retry: deposits its tokens (nothing without a token budget).</summary>
    public void Deposit()
    {
        if (_deposits.Length == 0)
        {
            return;
        }

        var index = Bucket(CurrentSecond());
        Interlocked.Increment(ref _deposits[index]);
    }

    /// <summary>Asks for a retry with <paramref name="activeRequests"/> in flight; <see cref="RetryRefusal.None"/> when it may start (then call <see cref="End"/> once).</summary>
    public RetryRefusal TryStart(int activeRequests)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        if (Settings is { Percent: { } percent } settings
            && inFlight > Math.Max(settings.MinRetryConcurrency, (int)(percent / 100 * activeRequests)))
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _overflows);
            return RetryRefusal.Overflow;
        }

        if (_deposits.Length > 0 && !TryWithdraw())
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _exhausted);
            return RetryRefusal.Exhausted;
        }

        Interlocked.Increment(ref _retries);
        return RetryRefusal.None;
    }

    /// <summary>A retry that <see cref="TryStart"/> allowed is over.</summary>
    public void End() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The tokens left now (for tests and diagnostics).</summary>
    public double Balance()
    {
        var settings = Settings!;
        var now = CurrentSecond();
        double deposits = 0;
        long withdrawals = 0;
        for (var i = 0; i < _seconds.Length; i++)
        {
            if (Volatile.Read(ref _seconds[i]) > now - _seconds.Length)
            {
                deposits += Interlocked.Read(ref _deposits[i]);
                withdrawals += Interlocked.Read(ref _withdrawals[i]);
            }
        }

        return ((double)settings.MinRetriesPerSecond * settings.TtlSeconds) + (deposits * settings.TokenRatio!.Value) - withdrawals;
    }

    private bool TryWithdraw()
    {
        lock (_withdrawals)
        {
            if (Balance() < 1)
            {
                return false;
            }

            Interlocked.Increment(ref _withdrawals[Bucket(CurrentSecond())]);
            return true;
        }
    }

    private long CurrentSecond() => _time.GetTimestamp() / _time.TimestampFrequency;

    /// <summary>The bucket of <paramref name="second"/>, cleared first when it still holds an expired second.</summary>
    private int Bucket(long second)
    {
        var index = (int)(second % _seconds.Length);
        if (Volatile.Read(ref _seconds[index]) != second)
        {
            lock (_seconds)
            {
                if (_seconds[index] != second)
                {
                    Interlocked.Exchange(ref _deposits[index], 0);
                    Interlocked.Exchange(ref _withdrawals[index], 0);
                    Volatile.Write(ref _seconds[index], second);
                }
            }
        }

        return index;
    }
}

/// <summary>Why a retry budget refused a retry.</summary>
internal enum RetryRefusal
{
    None,

    /// <summary>Too many retries in flight (Envoy's overflow, flag <c>UO</c>).</summary>
    Overflow,

    /// <summary>The token budget is spent (flag <c>URX</c>).</summary>
    Exhausted,
}
