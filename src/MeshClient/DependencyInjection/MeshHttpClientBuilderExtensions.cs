using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Runtime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts an <see cref="HttpClient"/> on the mesh.</summary>
public static class MeshHttpClientBuilderExtensions
{
    /// <summary>
    /// Routes every request of the client through the mesh by its Host, like a sidecar intercepting
    /// egress: declared hosts get the mesh's endpoints and policies, others follow the outbound
    /// traffic policy. Use it on one client, or on all with
    /// <c>services.ConfigureHttpClientDefaults(b =&gt; b.AddMeshHandlers())</c>. Calling it more than once is harmless.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The mesh replaces the client's primary handler: connections are pooled per endpoint by the
    /// mesh and cookies are not shared. The mesh's own handlers always sit below the application's
    /// (whatever the order of the calls), as a sidecar sits below the application: an application
    /// handler sees one request and its final response. Redirects are followed above the mesh
    /// routing (each hop is routed again) unless
    /// <see cref="MeshClient.Configuration.MeshOptions.AllowAutoRedirect"/> is off. A
    /// <c>ConfigurePrimaryHttpMessageHandler</c> call after this one takes the client off the mesh.
    /// Unless <see cref="MeshClient.Configuration.MeshOptions.ManageHttpClientTimeout"/> is off, a
    /// client whose <see cref="HttpClient.Timeout"/> is still the default 100 seconds gets an infinite
    /// one: the mesh bounds each request by its route timeout or
    /// <see cref="MeshClient.Configuration.MeshOptions.DefaultTimeout"/> instead, so that the client's
    /// timeout cannot cut short the mesh's attempts. A timeout the application sets is kept.
    /// </remarks>
    public static IHttpClientBuilder AddMeshHandlers(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMesh();
        builder.Services.AddSingleton(new MeshClientRegistration(builder.Name));
        builder.ConfigurePrimaryHttpMessageHandler(static provider => new MeshEndpointHandler(provider.GetRequiredService<MeshRuntime>()));
        builder.ConfigureHttpClient(static (provider, client) =>
        {
            // The published snapshot, never IOptionsMonitor: creating a client must not wait for a reload.
            if (client.Timeout == MeshDefaults.HttpClientTimeout && provider.GetRequiredService<MeshRuntime>().State.Snapshot.ManageHttpClientTimeout)
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
            }
        });
        return builder;
    }
}
