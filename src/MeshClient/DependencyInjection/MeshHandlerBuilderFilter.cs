using System.Collections.Concurrent;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Runtime;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Completes the handler chain of every mesh client (one whose primary handler is the mesh's) after
/// all the application's handlers are in: the routing handler (which also follows redirects) goes
/// last, so it sits right above the primary handler, below everything the application added, in any call order.
/// </summary>
/// <remarks>
/// A client that was put on the mesh (<c>AddMeshHandlers</c>, on it or on all clients) but whose
/// primary handler the application replaced afterwards has left the mesh, by design; under
/// REGISTRY_ONLY that is a bypass of the policy, so it is logged once per client name.
/// </remarks>
internal sealed partial class MeshHandlerBuilderFilter : IHttpMessageHandlerBuilderFilter
{
    private readonly ConcurrentDictionary<string, byte> _bypassLogged = new(StringComparer.Ordinal);

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            if (builder.PrimaryHandler is not MeshEndpointHandler)
            {
                ReportBypass(builder);
                return;
            }

            // Resolved here, not in the constructor: creating the factory for a client without the
            // mesh must not build (and so validate) the mesh.
            var runtime = builder.Services.GetRequiredService<MeshRuntime>();
            builder.AdditionalHandlers.Add(new MeshClient.Fallback.MeshFallbackHandler(runtime, builder.Services));
            builder.AdditionalHandlers.Add(new MeshRoutingHandler(runtime));
        };
    }

    private void ReportBypass(HttpMessageHandlerBuilder builder)
    {
        var name = builder.Name ?? string.Empty;
        if (_bypassLogged.ContainsKey(name) || !WasPutOnTheMesh(builder.Services, name))
        {
            return;
        }

        var runtime = builder.Services.GetRequiredService<MeshRuntime>();
        if (runtime.State.OutboundTrafficPolicy == OutboundTrafficPolicy.RegistryOnly && _bypassLogged.TryAdd(name, 0))
        {
            var logger = builder.Services.GetService<ILogger<MeshHandlerBuilderFilter>>();
            if (logger is not null)
            {
                LogBypass(logger, name, builder.PrimaryHandler.GetType().Name);
            }
        }
    }

    private static bool WasPutOnTheMesh(IServiceProvider services, string name)
    {
        foreach (var client in services.GetServices<MeshClientRegistration>())
        {
            if (client.Name is null || client.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(20, LogLevel.Warning, "HttpClient '{Client}' was put on the mesh (AddMeshHandlers) but its primary handler was replaced afterwards ({Handler}): its requests bypass the mesh, including the REGISTRY_ONLY outbound traffic policy. Call AddMeshHandlers after ConfigurePrimaryHttpMessageHandler, or leave the primary handler to the mesh.")]
    private static partial void LogBypass(ILogger logger, string client, string handler);
}

/// <summary>A client that <c>AddMeshHandlers</c> put on the mesh; <see langword="null"/> for every client (<c>ConfigureHttpClientDefaults</c>).</summary>
internal sealed record MeshClientRegistration(string? Name);
