using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshClient.Fallback;

/// <summary>
/// One service's HybridCache: its own bounded memory level (<see cref="FallbackMemoryCache"/>, <c>maxEntries</c>)
/// over the shared distributed level (<see cref="FallbackDistributedCache"/> around the application's
/// <see cref="IDistributedCache"/>), so that one service's many URLs never evict another's responses, and the
/// largest payload HybridCache accepts follows the service's <c>maxBodyBytes</c>. HybridCache's implementation
/// is only built through dependency injection, hence the small private container; the application's own
/// HybridCache registration (if any) is left alone.
/// </summary>
internal sealed class FallbackStore : IDisposable
{
    /// <summary>Room for the status line, headers and framing of an entry besides its body.</summary>
    private const long HeaderRoom = 1024 * 1024;

    private readonly ServiceProvider _services;

    public FallbackStore(FallbackPolicy policy, IDistributedCache? distributed, TimeProvider time, ILoggerFactory? loggerFactory)
    {
        MaxEntries = policy.MaxEntries;
        MaxBodyBytes = policy.MaxBodyBytes;
        Memory = new FallbackMemoryCache(policy.MaxEntries);
        var services = new ServiceCollection();
        services.AddSingleton<IMemoryCache>(Memory);
        services.AddSingleton(time);
        if (distributed is not null)
        {
            services.AddSingleton(distributed);
        }

        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
        }

        services.AddHybridCache(options => options.MaximumPayloadBytes = policy.MaxBodyBytes + HeaderRoom);
        _services = services.BuildServiceProvider();
        Cache = _services.GetRequiredService<HybridCache>();
    }

    public int MaxEntries { get; }

    public int MaxBodyBytes { get; }

    public HybridCache Cache { get; }

    public FallbackMemoryCache Memory { get; }

    /// <summary>Whether this store was built for <paramref name="policy"/>'s limits (a reload may change them).</summary>
    public bool Fits(FallbackPolicy policy) => policy.MaxEntries == MaxEntries && policy.MaxBodyBytes == MaxBodyBytes;

    public void Dispose()
    {
        _services.Dispose();
        Memory.Dispose();
    }
}
