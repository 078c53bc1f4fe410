using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using MeshClient.Fallback;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Fallback;

/// <summary>The fallback's L2 decorator: failures counted, logged at most once a minute without keys or values, L2 skipped then retried.</summary>
[Trait("Area", "Fallback")]
public sealed class FallbackDistributedCacheTests : IDisposable
{
    private const string Key = "meshclient:fallback:api.example.com:c2VjcmV0LWhhc2g";

    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly Meter _meter = new("MeshClient.Tests.Fallback");
    private readonly FlakyCache _inner = new();

    public void Dispose() => _meter.Dispose();

    private FallbackDistributedCache Create() => FallbackDistributedCache.Create(_inner, _time, _logger, _meter);

    private FakeLogRecord[] Warnings() => [.. _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning)];

    [Fact]
    public async Task GetAsync_ServerDown_MissCountedAndLoggedWithoutKeyOrValue()
    {
        using var errors = new MetricCollector<long>(_meter, "meshclient.fallback.cache_errors");
        var cache = Create();
        _inner.Failure = new InvalidOperationException("connection refused (127.0.0.1:6390)");

        Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken));
        await cache.SetAsync(Key, Encoding.UTF8.GetBytes("secret-body"), new DistributedCacheEntryOptions(), TestContext.Current.CancellationToken);

        Assert.Equal(1, cache.ErrorCount); // the write came during the pause after the failed read
        Assert.Equal("read", Assert.Single(errors.GetMeasurementSnapshot()).Tags["operation"]);
        Assert.Equal(1, cache.SkippedCount);
        var warning = Assert.Single(Warnings());
        Assert.Equal(64, warning.Id.Id);
        Assert.Contains("read", warning.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: connection refused (127.0.0.1:6390)", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-body", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_LoggedAtMostOnceAMinuteWithTheCountHeldBack()
    {
        var cache = Create();
        _inner.Failure = new InvalidOperationException("down");
        Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken));
        for (var i = 1; i < 6; i++)
        {
            // Each interval, the first operation is answered at once and starts a background probe, which fails again.
            _time.Advance(FallbackDistributedCache.RetryInterval);
            Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken));
            await UntilAsync(() => cache.ErrorCount == i + 1);
        }

        Assert.Single(Warnings());

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken));
        await UntilAsync(() => Warnings().Length == 2);
        Assert.Contains("on a probe", Warnings()[1].Message, StringComparison.Ordinal);
        Assert.Contains("(5 more failures since the last message", Warnings()[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterAFailure_SkippedUntilABackgroundProbeSucceeds_ThenUsedAgainAndRecoveryLogged()
    {
        var cache = Create();
        _inner.Failure = new InvalidOperationException("down");
        Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken));
        _inner.Failure = null;
        _inner.Values[Key] = [1, 2, 3];

        Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken)); // within the interval: not asked
        Assert.Equal(1, _inner.Calls);

        _time.Advance(FallbackDistributedCache.RetryInterval);
        Assert.Null(await cache.GetAsync(Key, TestContext.Current.CancellationToken)); // answered at once; the probe runs behind it
        await UntilAsync(() => _logger.Collector.GetSnapshot().Any(r => r.Id.Id == 65 && r.Level == LogLevel.Information));

        Assert.Equal([1, 2, 3], await cache.GetAsync(Key, TestContext.Current.CancellationToken));
        Assert.Equal(3, _inner.Calls); // the failure, the probe, this read
        Assert.Equal((1, 2), (cache.ErrorCount, cache.SkippedCount));
    }

    /// <summary>Waits (yielding, bounded, no sleep) for the background probe.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2_000_000 && !condition(); i++)
        {
            await Task.Yield();
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task GetAsync_CallerCancelled_NotAFailureOfTheCache()
    {
        var cache = Create();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        _inner.Failure = new OperationCanceledException(cts.Token);

        await Assert.ThrowsAsync<OperationCanceledException>(() => cache.GetAsync(Key, cts.Token));
        Assert.Equal(0, cache.ErrorCount);
        Assert.Empty(Warnings());
    }

    [Fact]
    public async Task Create_BufferCache_KeepsTheBufferInterfaceAndHandlesItsFailures()
    {
        var buffered = new FlakyBufferCache { Failure = new InvalidOperationException("down") };
        var cache = FallbackDistributedCache.Create(buffered, _time, _logger, _meter);

        var buffers = Assert.IsAssignableFrom<IBufferDistributedCache>(cache);
        Assert.False(await buffers.TryGetAsync(Key, new ArrayBufferWriter<byte>(), TestContext.Current.CancellationToken));
        Assert.Equal(1, cache.ErrorCount);
        Assert.IsNotAssignableFrom<IBufferDistributedCache>(Create());
    }

    [Fact]
    public void FallbackCache_MemoryDistributedCache_NotASecondLevel()
    {
        using var memory = new FallbackCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())), _time);
        Assert.Null(memory.Distributed);

        using var shared = new FallbackCache(_inner, _time);
        Assert.NotNull(shared.Distributed);
    }

    [Fact]
    public void FallbackMemoryCache_EveryEntryCountsAsOne_TheBoundHolds()
    {
        using var cache = new FallbackMemoryCache(3);
        for (var i = 0; i < 50; i++)
        {
            using (var entry = cache.CreateEntry("k" + i))
            {
                entry.Value = new byte[10];
                entry.Size = 10_000; // HybridCache sets the size in bytes; it is one entry here
            }

            Assert.InRange(cache.Count, 0, 3);
        }

        Assert.InRange(cache.Count, 1, 3);
    }

    /// <summary>An <see cref="IDistributedCache"/> that fails with <see cref="Failure"/> while it is set.</summary>
    private class FlakyCache : IDistributedCache
    {
        public Exception? Failure { get; set; }

        public Dictionary<string, byte[]> Values { get; } = [];

        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public byte[]? Get(string key) => Answer(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
            Failure is { } failure ? Fail<byte[]?>(failure) : Task.FromResult(Answer(key));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Answer(key);

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
            Failure is { } failure ? Fail<bool>(failure) : Task.FromResult(Values[key] = value);

        public void Refresh(string key) => Answer(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.FromResult(Answer(key));

        public void Remove(string key) => Answer(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.FromResult(Answer(key));

        private Task<T> Fail<T>(Exception failure)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromException<T>(failure);
        }

        protected byte[]? Answer(string key)
        {
            Interlocked.Increment(ref _calls);
            return Failure is { } failure ? throw failure : Values.GetValueOrDefault(key);
        }
    }

    private sealed class FlakyBufferCache : FlakyCache, IBufferDistributedCache
    {
        public bool TryGet(string key, IBufferWriter<byte> destination) => Answer(key) is not null;

        public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default) =>
            ValueTask.FromResult(Answer(key) is not null);

        public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => Answer(key);

        public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Answer(key);
            return ValueTask.CompletedTask;
        }
    }
}
