using System.Runtime.ExceptionServices;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Fallback;

/// <summary>
/// Sits right above <see cref="Http.MeshRoutingHandler"/>: for a service with a fallback policy, stores
/// its successful responses (<see cref="FallbackCache.Capture"/>) and, when the route's final outcome is a
/// failure the policy names (after retries), gives the last good response instead — or the user
/// fallback's. Holds no state: the policies are in the snapshot, the cache is a singleton. A request to a
/// host without a policy costs one table lookup, and nothing when no service has a policy.
/// </summary>
internal sealed class MeshFallbackHandler : DelegatingHandler
{
    private readonly MeshRuntime _runtime;
    private readonly IServiceProvider _services;
    private FallbackCache? _cache;

    public MeshFallbackHandler(MeshRuntime runtime, IServiceProvider services)
    {
        _runtime = runtime;
        _services = services;
    }

    // Resolved on first use: applications without a fallback policy never build HybridCache.
    private FallbackCache Cache => _cache ??= _services.GetRequiredService<FallbackCache>();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var fallbacks = _runtime.State.Snapshot.Fallbacks;
        if (fallbacks.Entries.Count == 0 || request.RequestUri is not { IsAbsoluteUri: true } uri
            || fallbacks.Match(uri.IdnHost, uri.Port) is not { } policy || !policy.AppliesTo(request.Method))
        {
            return base.SendAsync(request, cancellationToken);
        }

        return SendAsync(policy, FallbackKey.Create(policy, request, uri), request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private async Task<HttpResponseMessage> SendAsync(FallbackPolicy policy, string? key, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (MeshException ex) when (ex.Result is { } failed && policy.Triggers(failed.Flags, null) && !cancellationToken.IsCancellationRequested)
        {
            // MeshFailureMode.Throw: the failure is an exception; a fallback replaces it, else it goes on.
            var served = await Cache.TryServeAsync(policy, key, request, failed, null, cancellationToken).ConfigureAwait(false);
            if (served is not null)
            {
                _runtime.Telemetry.OnFallbackServed(policy.Service, failed); // log event 161
                return served;
            }

            ExceptionDispatchInfo.Throw(ex);
            throw;
        }

        var result = request.GetMeshResult();
        if (result is null || cancellationToken.IsCancellationRequested)
        {
            return response;
        }

        if (FallbackPolicy.IsUpstreamResponse(result.Flags) && (int)response.StatusCode is >= 200 and < 300)
        {
            if (key is not null)
            {
                Cache.Capture(policy, key, response);
            }

            return response;
        }

        if (policy.Triggers(result.Flags, response)
            && await Cache.TryServeAsync(policy, key, request, result, response, cancellationToken).ConfigureAwait(false) is { } fallback)
        {
            response.Dispose();
            _runtime.Telemetry.OnFallbackServed(policy.Service, result); // log event 161
            return fallback;
        }

        return response;
    }
}
