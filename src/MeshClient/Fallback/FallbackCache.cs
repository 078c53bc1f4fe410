using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MeshClient.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshClient.Fallback;

/// <summary>
/// The fallback cache: one singleton shared by every handler, with one <see cref="HybridCache"/> per service
/// (<see cref="FallbackStore"/>: L1 in memory, bounded to the policy's <c>maxEntries</c>; L2 the registered
/// <c>IDistributedCache</c> such as Redis, whose failures are counted and logged by
/// <see cref="FallbackDistributedCache"/>). Stores successful responses off the caller's path, and serves them
/// (or the service's user fallback) when a request fails.
/// </summary>
/// <remarks>
/// HybridCache has no "get without a factory": reads use <c>GetOrCreateAsync</c> with
/// <see cref="HybridCacheEntryFlags.DisableUnderlyingData"/> (only the caches are read; the factory, which
/// answers "nothing", is never called) and with writes disabled, so that a miss is never cached and a later
/// store (here or on another instance) is seen.
/// </remarks>
internal sealed partial class FallbackCache : IDisposable
{
    /// <summary>Marks a response the fallback served: <c>stale</c> from the cache, <c>synthesized</c> by the user fallback.</summary>
    public const string Header = "x-mesh-fallback";

    private static readonly HybridCacheEntryOptions ReadOptions = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private static readonly TimeSpan CacheErrorLogInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly FallbackDistributedCache? _distributed;
    private readonly ConcurrentDictionary<string, FallbackStore> _stores = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<FallbackContext, ValueTask<HttpResponseMessage?>>> _responders = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _tooLargeLogged = new(StringComparer.OrdinalIgnoreCase);
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _served;
    private readonly Counter<long> _stored;
    private long _lastCacheErrorLog = long.MinValue;
    private long _servedCount;
    private long _storedCount;

    public FallbackCache(IDistributedCache? distributed = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IEnumerable<FallbackResponder>? responders = null, IMeterFactory? meterFactory = null)
    {
        // The application's IMeterFactory when there is one, as MeshTelemetry does (its meter is the factory's to dispose).
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create("MeshClient") ?? new Meter("MeshClient");
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory?.CreateLogger<FallbackCache>() ?? (ILogger)NullLogger.Instance;

        // As HybridCache itself does: a MemoryDistributedCache (AddDistributedMemoryCache, which some frameworks
        // register by default) is not a second level, only unbounded memory beside the bounded one.
        if (distributed is not null and not MemoryDistributedCache)
        {
            _distributed = FallbackDistributedCache.Create(distributed, _time, _logger, _meter);
        }

        foreach (var responder in responders ?? [])
        {
            _responders[responder.Service] = responder.Respond; // the last registration wins
        }

        _served = _meter.CreateCounter<long>("meshclient.fallback.served", "{response}", "Responses the fallback served instead of a failure.");
        _stored = _meter.CreateCounter<long>("meshclient.fallback.stored", "{response}", "Responses stored for fallback.");
    }

    /// <summary>How many fallbacks were served (tests, diagnostics).</summary>
    public long ServedCount => Interlocked.Read(ref _servedCount);

    /// <summary>How many responses were stored (tests, diagnostics).</summary>
    public long StoredCount => Interlocked.Read(ref _storedCount);

    /// <summary>The distributed level as the fallback sees it (failures counted), or <see langword="null"/> without one.</summary>
    public FallbackDistributedCache? Distributed => _distributed;

    /// <summary>
    /// The service's store, built on first use and rebuilt when a reload changes its limits (the old one is left
    /// to the garbage collector, not disposed: a read may still be using it; its entries are still in L2).
    /// </summary>
    public FallbackStore StoreFor(FallbackPolicy policy)
    {
        if (_stores.TryGetValue(policy.Service, out var store) && store.Fits(policy))
        {
            return store;
        }

        lock (_stores)
        {
            if (_stores.TryGetValue(policy.Service, out store) && store.Fits(policy))
            {
                return store;
            }

            store = new FallbackStore(policy, _distributed, _time, _loggerFactory);
            _stores[policy.Service] = store;
            return store;
        }
    }

    /// <summary>
    /// Arranges for a successful response to be stored: at once for a response without a body, else when
    /// the caller has read the body (<see cref="FallbackCaptureContent"/>). Adds nothing to the caller's wait.
    /// </summary>
    public void Capture(FallbackPolicy policy, string key, HttpResponseMessage response)
    {
        var directives = CacheDirectives.For(policy, response);
        if (!directives.Cacheable)
        {
            return;
        }

        var request = response.RequestMessage;
        var pending = new PendingStore(this, policy, key, response, directives);
        if (request?.Method == HttpMethod.Head || response.Content.Headers.ContentLength == 0)
        {
            pending.Complete([]);
            return;
        }

        if (response.Content.Headers.ContentLength > policy.MaxBodyBytes)
        {
            OnTooLarge(policy);
            return;
        }

        response.Content = new FallbackCaptureContent(
            response.Content,
            policy.MaxBodyBytes,
            static (body, state) => ((PendingStore)state).Complete(body),
            static state => ((PendingStore)state).Owner.OnTooLarge(((PendingStore)state).Policy),
            pending);
    }

    /// <summary>
    /// The response to give instead of a failure: the cached one (marked stale), else the service's user
    /// fallback's, else <see langword="null"/>. Never when the caller cancelled.
    /// </summary>
    public async ValueTask<HttpResponseMessage?> TryServeAsync(FallbackPolicy policy, string? key, HttpRequestMessage request, MeshResult result, HttpResponseMessage? failure, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (key is not null && await ReadAsync(policy, key, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            var now = _time.GetUtcNow();
            if (entry.IsServableAt(now) && !cancellationToken.IsCancellationRequested)
            {
                var response = entry.ToResponse(request);
                var age = entry.AgeAt(now);
                response.Headers.TryAddWithoutValidation(Header, "stale");
                response.Headers.Age = TimeSpan.FromSeconds(Math.Floor(age.TotalSeconds));
                response.Headers.TryAddWithoutValidation(MeshResponses.FlagsHeader, result.Flags.ToEnvoyString());
                result.FromCache = true;
                Served(policy, result, "cache");
                LogServedFromCache(_logger, policy.Service, request.Method.Method, request.RequestUri?.AbsolutePath, result.Flags.ToEnvoyString(), (long)age.TotalSeconds);
                return response;
            }
        }

        if (!_responders.TryGetValue(policy.Service, out var respond) || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var synthesized = await respond(new FallbackContext(policy.Service, request, result, failure, cancellationToken)).ConfigureAwait(false);
        if (synthesized is null)
        {
            return null;
        }

        synthesized.RequestMessage ??= request;
        synthesized.Headers.TryAddWithoutValidation(Header, "synthesized");
        Served(policy, result, "user");
        LogServedFromUser(_logger, policy.Service, request.Method.Method, request.RequestUri?.AbsolutePath, result.Flags.ToEnvoyString());
        return synthesized;
    }

    private async ValueTask<FallbackEntry?> ReadAsync(FallbackPolicy policy, string key, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await StoreFor(policy).Cache.GetOrCreateAsync<byte[]?>(key, static _ => ValueTask.FromResult<byte[]?>(null), ReadOptions, null, cancellationToken).ConfigureAwait(false);
            return bytes is null ? null : FallbackEntry.Deserialize(bytes);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
#pragma warning disable CA1031 // A cache that fails is a miss: the caller gets the failure it would have got anyway.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnCacheError(ex);
            return null;
        }
    }

    private async Task StoreAsync(PendingStore pending, FallbackEntry entry)
    {
        try
        {
            var lifetime = pending.Directives.Lifetime;
            var options = new HybridCacheEntryOptions { Expiration = lifetime, LocalCacheExpiration = lifetime };
            await StoreFor(pending.Policy).Cache.SetAsync(pending.Key, entry.Serialize(), options, null, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _storedCount);
            _stored.Add(1, new KeyValuePair<string, object?>("service", pending.Policy.Service));
        }
#pragma warning disable CA1031 // Storing is best effort, off the caller's path; failures are logged (rate-limited).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnCacheError(ex);
        }
    }

    private void Served(FallbackPolicy policy, MeshResult result, string source)
    {
        Interlocked.Increment(ref _servedCount);
        if (_served.Enabled)
        {
            _served.Add(1, new("service", policy.Service), new("source", source), new("response_flags", result.Flags.ToEnvoyString()));
        }
    }

    private void OnTooLarge(FallbackPolicy policy)
    {
        if (_tooLargeLogged.TryAdd(policy.Service, 0))
        {
            LogTooLarge(_logger, policy.Service, policy.MaxBodyBytes);
        }
    }

    /// <summary>A failure HybridCache lets through (L2's are handled by <see cref="FallbackDistributedCache"/>): a miss or a lost write, logged at most once a minute.</summary>
    private void OnCacheError(Exception ex)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastCacheErrorLog);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) >= CacheErrorLogInterval)
            && Interlocked.CompareExchange(ref _lastCacheErrorLog, now, last) == last)
        {
            LogCacheError(_logger, ex.Message, ex);
        }
    }

    public void Dispose()
    {
        foreach (var store in _stores.Values)
        {
            store.Dispose();
        }

        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private sealed class PendingStore(FallbackCache owner, FallbackPolicy policy, string key, HttpResponseMessage response, CacheDirectives directives)
    {
        private HttpResponseMessage? _response = response;
        private FallbackEntry? _entry;

        public FallbackCache Owner => owner;

        public FallbackPolicy Policy => policy;

        public string Key => key;

        public CacheDirectives Directives => directives;

        /// <summary>
        /// Once: the status and headers are copied now (the caller owns the response afterwards), the
        /// serialization and the write run on the thread pool, never on the caller's read.
        /// </summary>
        public void Complete(byte[] body)
        {
            if (Interlocked.Exchange(ref _response, null) is not { } response)
            {
                return;
            }

            _entry = FallbackEntry.From(response, body, owner._time.GetUtcNow(), directives);
            ThreadPool.UnsafeQueueUserWorkItem(static pending => _ = pending.Owner.StoreAsync(pending, pending._entry!), this, preferLocal: false);
        }
    }

    // Per request (method, path, age) and so at Debug: the warning is the mesh's event 161, at most once per
    // service every 10 s — one outage must not write a warning per request.
    [LoggerMessage(60, LogLevel.Debug, "Fallback: served a cached response for external service '{Service}' ({Method} {Path}) instead of the failure {Flags}; age {AgeSeconds} s.")]
    private static partial void LogServedFromCache(ILogger logger, string service, string method, string? path, string flags, long ageSeconds);

    [LoggerMessage(61, LogLevel.Debug, "Fallback: served the user fallback's response for external service '{Service}' ({Method} {Path}) instead of the failure {Flags}.")]
    private static partial void LogServedFromUser(ILogger logger, string service, string method, string? path, string flags);

    [LoggerMessage(62, LogLevel.Information, "Fallback: a response of external service '{Service}' is larger than maxBodyBytes ({MaxBodyBytes}) and is not cached (logged once per service).")]
    private static partial void LogTooLarge(ILogger logger, string service, int maxBodyBytes);

    [LoggerMessage(63, LogLevel.Warning, "Fallback: the cache failed ({Reason}); the request goes on without it (logged at most once a minute).")]
    private static partial void LogCacheError(ILogger logger, string reason, Exception exception);
}
