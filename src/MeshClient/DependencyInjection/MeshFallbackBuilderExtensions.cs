using MeshClient;
using MeshClient.Configuration;
using MeshClient.Fallback;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Fallback to cache for an external service.</summary>
public static class MeshFallbackBuilderExtensions
{
    /// <summary>
    /// Serves the last good response of the service when it fails after the route's retries (Envoy flags
    /// <c>UH</c>, <c>UF</c>, <c>UO</c>, <c>UT</c>, <c>URX</c>, <c>UC</c>, or upstream status 502, 503, 504 by default):
    /// successful <c>GET</c>/<c>HEAD</c> responses are cached in <c>HybridCache</c> — in memory, and in the
    /// registered <c>IDistributedCache</c> (such as Redis) when there is one, so that another instance can serve them.
    /// </summary>
    /// <param name="builder">The external service's builder.</param>
    /// <param name="configure">Configures the policy; <see langword="null"/> for the defaults.</param>
    /// <param name="respond">
    /// A user fallback, called when nothing cached can be served: a response to give instead of the failure
    /// (marked <c>x-mesh-fallback: synthesized</c>), or <see langword="null"/> to let the failure through.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// A served response is marked <c>x-mesh-fallback: stale</c> with an <c>Age</c> header, and its
    /// <see cref="MeshResult.FromCache"/> is <see langword="true"/> with the failure's flags kept. Nothing is
    /// served when the caller cancelled. Register <c>IDistributedCache</c> (for example
    /// <c>AddStackExchangeRedisCache</c>) for the shared level; the in-memory level keeps at most
    /// <see cref="FallbackOptions.MaxEntries"/> responses per service.
    /// </remarks>
    public static MeshExternalServiceBuilder AddFallbackCache(
        this MeshExternalServiceBuilder builder,
        Action<FallbackOptions>? configure = null,
        Func<FallbackContext, ValueTask<HttpResponseMessage?>>? respond = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var host = builder.Host;
        builder.Services.Configure<MeshOptions>(options =>
        {
            foreach (var service in options.ExternalServices)
            {
                if (string.Equals(service.Name, host, StringComparison.OrdinalIgnoreCase))
                {
                    service.Fallback ??= new FallbackOptions();
                    configure?.Invoke(service.Fallback);
                }
            }
        });
        if (respond is not null)
        {
            builder.Services.AddSingleton(new FallbackResponder(host, respond));
        }

        return builder;
    }

    /// <summary>
    /// The cache behind every fallback policy (from C#, appsettings or YAML), built on first use: its own HybridCache
    /// per service over the application's <c>IDistributedCache</c>, if any (the application's HybridCache is not used).
    /// </summary>
    internal static void AddFallbackServices(IServiceCollection services) =>
        services.TryAddSingleton(static provider => new FallbackCache(
            provider.GetService<IDistributedCache>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetServices<FallbackResponder>(),
            provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
}
