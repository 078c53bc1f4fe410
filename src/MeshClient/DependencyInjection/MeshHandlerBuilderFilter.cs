using MeshClient.Http;
using MeshClient.Runtime;
using Microsoft.Extensions.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Completes the handler chain of every mesh client (one whose primary handler is the mesh's) after
/// all the application's handlers are in: the routing handler (which also follows redirects) goes
/// last, so it sits right above the primary handler, below everything the application added, in any call order.
/// </summary>
internal sealed class MeshHandlerBuilderFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            if (builder.PrimaryHandler is not MeshEndpointHandler)
            {
                return;
            }

            // Resolved here, not in the constructor: creating the factory for a client without the
            // mesh must not build (and so validate) the mesh.
            var runtime = builder.Services.GetRequiredService<MeshRuntime>();
            builder.AdditionalHandlers.Add(new MeshRoutingHandler(runtime));
        };
    }
}
