using System.Buffers;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace MeshClient.Fallback;

/// <summary>
/// The fallback's view of the application's <see cref="IDistributedCache"/> (L2, such as Redis): HybridCache
/// swallows L2 failures, so they are made visible here. A failure is counted
/// (<c>meshclient.fallback.cache_errors</c>), logged at most once a minute (with how many were held back,
/// never a key or a value), and answered as a miss or a dropped write. Then L2 is left alone: every operation is a
/// miss or a dropped write at once, so that an unreachable server (its client's timeouts) slows no caller down;
/// every <see cref="RetryInterval"/> one probe (a read of <see cref="ProbeKey"/>) runs in the background, and when
/// it succeeds L2 is used again. The memory level keeps working throughout.
/// </summary>
internal partial class FallbackDistributedCache : IDistributedCache
{
    /// <summary>How long L2 is skipped after a failure before it is tried again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>What the background probe reads while L2 is failing (nothing is stored under it).</summary>
    public const string ProbeKey = "meshclient:fallback:probe";

    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private readonly IDistributedCache _inner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter<long> _errors;
    private long _errorCount;
    private long _skippedCount;
    private long _heldBack;
    private long _lastLog = long.MinValue;
    private long _retryAt = long.MinValue;
    private int _failing;

    protected FallbackDistributedCache(IDistributedCache inner, TimeProvider time, ILogger logger, Meter meter)
    {
        _inner = inner;
        _time = time;
        _logger = logger;
        _errors = meter.CreateCounter<long>("meshclient.fallback.cache_errors", "{error}", "Failures of the fallback's distributed cache (L2); the memory cache keeps working.");
    }

    /// <summary>Wraps <paramref name="inner"/>, keeping <see cref="IBufferDistributedCache"/> when it has it (HybridCache then avoids copies).</summary>
    public static FallbackDistributedCache Create(IDistributedCache inner, TimeProvider time, ILogger logger, Meter meter) =>
        inner is IBufferDistributedCache buffers
            ? new Buffered(buffers, time, logger, meter)
            : new FallbackDistributedCache(inner, time, logger, meter);

    /// <summary>How many L2 operations failed (tests, diagnostics).</summary>
    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>How many L2 operations were skipped while waiting to try L2 again (tests, diagnostics).</summary>
    public long SkippedCount => Interlocked.Read(ref _skippedCount);

    public byte[]? Get(string key)
    {
        if (Skip())
        {
            return null;
        }

        try
        {
            var value = _inner.Get(key);
            Succeeded();
            return value;
        }
        catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
        {
            Failed("read", ex);
            return null;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        if (Skip())
        {
            return null;
        }

        try
        {
            var value = await _inner.GetAsync(key, token).ConfigureAwait(false);
            Succeeded();
            return value;
        }
        catch (Exception ex) when (IsFailure(ex, token))
        {
            Failed("read", ex);
            return null;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        if (Skip())
        {
            return;
        }

        try
        {
            _inner.Set(key, value, options);
            Succeeded();
        }
        catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
        {
            Failed("write", ex);
        }
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        if (Skip())
        {
            return;
        }

        try
        {
            await _inner.SetAsync(key, value, options, token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (IsFailure(ex, token))
        {
            Failed("write", ex);
        }
    }

    public void Refresh(string key)
    {
        if (Skip())
        {
            return;
        }

        try
        {
            _inner.Refresh(key);
            Succeeded();
        }
        catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
        {
            Failed("write", ex);
        }
    }

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        if (Skip())
        {
            return;
        }

        try
        {
            await _inner.RefreshAsync(key, token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (IsFailure(ex, token))
        {
            Failed("write", ex);
        }
    }

    public void Remove(string key)
    {
        if (Skip())
        {
            return;
        }

        try
        {
            _inner.Remove(key);
            Succeeded();
        }
        catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
        {
            Failed("write", ex);
        }
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        if (Skip())
        {
            return;
        }

        try
        {
            await _inner.RemoveAsync(key, token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (IsFailure(ex, token))
        {
            Failed("write", ex);
        }
    }

    /// <summary>The caller's own cancellation is not a failure of L2; everything else is.</summary>
    protected static bool IsFailure(Exception ex, CancellationToken token) =>
        !(ex is OperationCanceledException && token.IsCancellationRequested);

    /// <summary>
    /// Whether L2 is being left alone after a failure (the operation is then a miss or a dropped write); the first
    /// operation after each <see cref="RetryInterval"/> starts the background probe.
    /// </summary>
    protected bool Skip()
    {
        if (Volatile.Read(ref _failing) == 0)
        {
            return false;
        }

        var retryAt = Interlocked.Read(ref _retryAt);
        var now = _time.GetTimestamp();
        if (now >= retryAt && Interlocked.CompareExchange(ref _retryAt, RetryTimestamp(now), retryAt) == retryAt)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static cache => _ = cache.ProbeAsync(), this, preferLocal: false);
        }

        Interlocked.Increment(ref _skippedCount);
        return true;
    }

    /// <summary>One read off every caller's path: success lets L2 be used again, a failure counts and waits another interval.</summary>
    private async Task ProbeAsync()
    {
        try
        {
            _ = await _inner.GetAsync(ProbeKey, CancellationToken.None).ConfigureAwait(false);
            Succeeded();
        }
#pragma warning disable CA1031 // The probe's failure is the state it reports; nothing may escape to the thread pool.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed("probe", ex);
        }
    }

    protected void Succeeded()
    {
        if (Volatile.Read(ref _failing) != 0 && Interlocked.Exchange(ref _failing, 0) != 0)
        {
            LogRecovered(_logger, Interlocked.Read(ref _errorCount));
        }
    }

    protected void Failed(string operation, Exception ex)
    {
        Interlocked.Increment(ref _errorCount);
        _errors.Add(1, new KeyValuePair<string, object?>("operation", operation));
        var now = _time.GetTimestamp();
        Interlocked.Exchange(ref _retryAt, RetryTimestamp(now));
        Volatile.Write(ref _failing, 1);

        var last = Interlocked.Read(ref _lastLog);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) >= LogInterval)
            && Interlocked.CompareExchange(ref _lastLog, now, last) == last)
        {
            // The exception's type and message only: a client's message may name the server, never a value; the
            // keys are hashes (FallbackKey), so they carry no credentials either.
            LogFailed(_logger, operation, ex.GetType().Name, ex.Message, Interlocked.Exchange(ref _heldBack, 0), (int)RetryInterval.TotalSeconds);
        }
        else
        {
            Interlocked.Increment(ref _heldBack);
        }
    }

    private long RetryTimestamp(long now) => now + (long)(RetryInterval.TotalSeconds * _time.TimestampFrequency);

    [LoggerMessage(64, LogLevel.Warning, "Fallback: the distributed cache (L2) failed on a {Operation}: {ErrorType}: {Reason}. The in-memory cache keeps serving; L2 is tried again in {RetrySeconds} s ({HeldBack} more failures since the last message; logged at most once a minute).")]
    private static partial void LogFailed(ILogger logger, string operation, string errorType, string reason, long heldBack, int retrySeconds);

    [LoggerMessage(65, LogLevel.Information, "Fallback: the distributed cache (L2) answers again ({Errors} failures in all).")]
    private static partial void LogRecovered(ILogger logger, long errors);

    /// <summary>The same for a cache with <see cref="IBufferDistributedCache"/> (Redis has it).</summary>
    private sealed class Buffered(IBufferDistributedCache inner, TimeProvider time, ILogger logger, Meter meter)
        : FallbackDistributedCache(inner, time, logger, meter), IBufferDistributedCache
    {
        public bool TryGet(string key, IBufferWriter<byte> destination)
        {
            if (Skip())
            {
                return false;
            }

            try
            {
                var found = inner.TryGet(key, destination);
                Succeeded();
                return found;
            }
            catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
            {
                Failed("read", ex);
                return false;
            }
        }

        public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
        {
            if (Skip())
            {
                return false;
            }

            try
            {
                var found = await inner.TryGetAsync(key, destination, token).ConfigureAwait(false);
                Succeeded();
                return found;
            }
            catch (Exception ex) when (IsFailure(ex, token))
            {
                Failed("read", ex);
                return false;
            }
        }

        public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
        {
            if (Skip())
            {
                return;
            }

            try
            {
                inner.Set(key, value, options);
                Succeeded();
            }
            catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
            {
                Failed("write", ex);
            }
        }

        public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            if (Skip())
            {
                return;
            }

            try
            {
                await inner.SetAsync(key, value, options, token).ConfigureAwait(false);
                Succeeded();
            }
            catch (Exception ex) when (IsFailure(ex, token))
            {
                Failed("write", ex);
            }
        }
    }
}
