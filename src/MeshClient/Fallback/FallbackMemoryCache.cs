using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace MeshClient.Fallback;

/// <summary>
/// One service's in-memory level (L1) under its HybridCache: a <see cref="MemoryCache"/> bounded to
/// <see cref="MaxEntries"/> entries. HybridCache gives each entry its size in bytes, so every entry is counted
/// as 1 here instead: when the cache is full, the entry being added is dropped and <see cref="MemoryCache"/>
/// compacts in the background (expired entries first, then the least recently used), so the count never goes
/// over the bound. A dropped write only misses L1: L2, when there is one, has the entry.
/// </summary>
internal sealed class FallbackMemoryCache : IMemoryCache
{
    private readonly MemoryCache _inner;

    public FallbackMemoryCache(int maxEntries)
    {
        MaxEntries = maxEntries;
        _inner = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxEntries, CompactionPercentage = 0.05 });
    }

    public int MaxEntries { get; }

    /// <summary>How many entries are held now (tests, diagnostics).</summary>
    public int Count => _inner.Count;

    public ICacheEntry CreateEntry(object key) => new CountedEntry(_inner.CreateEntry(key));

    public bool TryGetValue(object key, out object? value) => _inner.TryGetValue(key, out value);

    public void Remove(object key) => _inner.Remove(key);

    public void Dispose() => _inner.Dispose();

    /// <summary>An entry whose size is always 1, whatever HybridCache sets.</summary>
    private sealed class CountedEntry : ICacheEntry
    {
        private readonly ICacheEntry _inner;

        public CountedEntry(ICacheEntry inner)
        {
            _inner = inner;
            _inner.Size = 1;
        }

        public object Key => _inner.Key;

        public object? Value
        {
            get => _inner.Value;
            set => _inner.Value = value;
        }

        public DateTimeOffset? AbsoluteExpiration
        {
            get => _inner.AbsoluteExpiration;
            set => _inner.AbsoluteExpiration = value;
        }

        public TimeSpan? AbsoluteExpirationRelativeToNow
        {
            get => _inner.AbsoluteExpirationRelativeToNow;
            set => _inner.AbsoluteExpirationRelativeToNow = value;
        }

        public TimeSpan? SlidingExpiration
        {
            get => _inner.SlidingExpiration;
            set => _inner.SlidingExpiration = value;
        }

        public IList<IChangeToken> ExpirationTokens => _inner.ExpirationTokens;

        public IList<PostEvictionCallbackRegistration> PostEvictionCallbacks => _inner.PostEvictionCallbacks;

        public CacheItemPriority Priority
        {
            get => _inner.Priority;
            set => _inner.Priority = value;
        }

        public long? Size
        {
            get => 1;
            set { } // counted as one entry: the bound is a number of responses, each at most maxBodyBytes
        }

        public void Dispose() => _inner.Dispose();
    }
}
