using MeshClient.Http;
using MeshClient.Model;
using MeshClient.Resilience;
using MeshClient.Routing;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;

namespace MeshClient.Runtime;

/// <summary>
/// Binds a snapshot's virtual hosts to the live clusters and builds each route's Polly pipeline,
/// once per snapshot (routes with the same policy share one pipeline).
/// </summary>
internal static class RouteBinder
{
    private static readonly Func<double> FaultRandom = static () => Random.Shared.NextDouble();

    public static RuntimeState Bind(MeshSnapshot snapshot, Dictionary<ClusterKey, Cluster> clusters, Cluster passthrough, TimeProvider timeProvider, RetryJitter? jitter = null)
    {
        jitter ??= RetryJitter.Shared;
        var pipelines = new Dictionary<(TimeSpan?, string?), RoutePipelines>();
        var hosts = new List<(string, int, MeshVirtualHost)>();
        foreach (var (host, port, definition) in snapshot.VirtualHosts.Entries)
        {
            var routes = new MeshRoute[definition.Routes.Length];
            for (var i = 0; i < routes.Length; i++)
            {
                routes[i] = Bind(definition.Routes[i], clusters, pipelines, timeProvider, jitter);
            }

            hosts.Add((host, port, new MeshVirtualHost(definition.ServiceName, routes)));
        }

        // Unknown hosts go to the passthrough cluster, or to the service Istio's Sidecar egressProxy names
        // (the request unchanged, its endpoints that service's); no retries either way.
        var passthroughCluster = snapshot.PassthroughTarget is { Cluster: { } egressKey } && clusters.TryGetValue(egressKey, out var egress) ? egress : passthrough;
        var passthroughRoute = new RouteDefinition
        {
            Destinations = [ReferenceEquals(passthroughCluster, passthrough) ? new RouteDestination(ClusterKey.Passthrough, ClusterKey.Passthrough.Host, 1, null, null, null) : snapshot.PassthroughTarget!],
            Timeout = snapshot.PassthroughTimeout,
        };
        var passthroughTargets = new[] { new RouteTarget(passthroughRoute.Destinations[0], passthroughCluster) };
        return new RuntimeState(
            snapshot,
            HostTable<MeshVirtualHost>.Build(hosts),
            new MeshRoute(passthroughRoute, passthroughTargets, Pipelines(passthroughRoute, pipelines, timeProvider, jitter)));
    }

    private static MeshRoute Bind(RouteDefinition definition, Dictionary<ClusterKey, Cluster> clusters, Dictionary<(TimeSpan?, string?), RoutePipelines> pipelines, TimeProvider timeProvider, RetryJitter jitter)
    {
        var mirrors = new RouteTarget[definition.Mirrors.Length];
        for (var i = 0; i < mirrors.Length; i++)
        {
            var destination = definition.Mirrors[i].Destination;
            mirrors[i] = new RouteTarget(destination, destination.Cluster is { } key ? clusters.GetValueOrDefault(key) : null);
        }

        var targets = new RouteTarget[definition.Destinations.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            var destination = definition.Destinations[i];
            var cluster = destination.Cluster is { } key ? clusters.GetValueOrDefault(key) : null;
            targets[i] = new RouteTarget(destination, cluster);
        }

        var pipeline = definition.Fault is { } fault
            ? new RoutePipelines(FaultPipeline(fault, timeProvider, FaultRandom), null)
            : Pipelines(definition, pipelines, timeProvider, jitter);
        return new MeshRoute(definition, targets, pipeline) { Mirrors = mirrors };
    }

    /// <summary>
    /// A faulted route's pipeline: Polly's chaos latency, then chaos outcome, before any endpoint is
    /// picked, and nothing else (Istio: a route with a fault gets no timeout or retries). The request and
    /// its result travel in the context's properties (set only for such routes).
    /// </summary>
    private static ResiliencePipeline<HttpResponseMessage> FaultPipeline(FaultDefinition fault, TimeProvider timeProvider, Func<double> random)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (fault.Delay is { } delay && fault.DelayRate > 0)
        {
            builder.AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                Latency = delay,
                InjectionRate = fault.DelayRate,
                Randomizer = random,
                OnLatencyInjected = static args =>
                {
                    if (args.Context.Properties.TryGetValue(RouteContext.Result, out var result))
                    {
                        result.Flags |= MeshResponseFlags.DelayInjected;
                    }

                    return default;
                },
            });
        }

        if ((fault.AbortStatus is not null || fault.AbortGrpcStatus is not null) && fault.AbortRate > 0)
        {
            var status = fault.AbortStatus;
            var grpc = fault.AbortGrpcStatus;
            builder.AddChaosOutcome(new ChaosOutcomeStrategyOptions<HttpResponseMessage>
            {
                InjectionRate = fault.AbortRate,
                Randomizer = random,
                OutcomeGenerator = args =>
                {
                    var request = args.Context.Properties.GetValue(RouteContext.Request, null!);
                    var result = args.Context.Properties.GetValue(RouteContext.Result, null!);
                    return ValueTask.FromResult<Outcome<HttpResponseMessage>?>(Outcome.FromResult(MeshResponses.FaultAbort(request, result, status, grpc)));
                },
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// The route's pipelines, outside in: the total timeout (it spans every attempt and back-off), then
    /// retries (or hedging), then the per-try timeout; the callback is one attempt, which picks an
    /// endpoint. No pipeline when the route has neither hedging nor a per-try timeout (see remarks).
    /// </summary>
    /// <remarks>
    /// A route without hedging or a per-try timeout (Istio's default policy, or none) gets no pipeline
    /// around its attempts: its total timeout is a <see cref="RouteTimeout"/> run in the routing
    /// handler's own frame (<see cref="RoutePipelines.Timeout"/>), and a plain retry policy is the retry
    /// strategy on its own, which the first attempt enters only when its outcome is one the policy
    /// retries (<see cref="RoutePipelines.Retries"/>). Polly then decides on that outcome exactly as if
    /// it had run the attempt itself, so the behaviour is the same, and the common case — the first
    /// attempt succeeds — pays for neither a timeout strategy's frame nor the retry strategy's.
    /// </remarks>
    private static RoutePipelines Pipelines(RouteDefinition route, Dictionary<(TimeSpan?, string?), RoutePipelines> pipelines, TimeProvider timeProvider, RetryJitter jitter)
    {
        var retry = route.Retry;
        if (route.Timeout is null && retry is null)
        {
            return default;
        }

        var key = (route.Timeout, retry?.Key);
        if (!pipelines.TryGetValue(key, out var built))
        {
            var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
            var inPipeline = retry is not null && (retry.IsHedging || retry.PerTryTimeout is not null);
            RouteTimeout? frameTimeout = null;
            if (route.Timeout is { } timeout)
            {
                if (inPipeline)
                {
                    builder.AddTimeout(Timeout(timeout));
                }
                else if (RouteTimeout.Applies(timeout))
                {
                    frameTimeout = new RouteTimeout(timeout, timeProvider);
                }
            }

            ResiliencePipeline<HttpResponseMessage>? retries = null;
            RetryDecider? decider = null;
            if (retry is not null)
            {
                decider = new RetryDecider(retry, timeProvider, jitter);
                if (retry.IsHedging)
                {
                    builder.AddHedging(decider.HedgingOptions());
                }
                else if (retry.MaxRetries > 0 && retry.PerTryTimeout is null)
                {
                    retries = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }.AddRetry(decider.RetryOptions()).Build();
                }
                else if (retry.MaxRetries > 0)
                {
                    builder.AddRetry(decider.RetryOptions());
                }

                if (retry.PerTryTimeout is { } perTry)
                {
                    builder.AddTimeout(Timeout(perTry));
                }
            }

            // Without hedging or a per-try timeout, the route timeout runs in the routing handler's frame
            // and a plain retry policy is entered only after a retriable first attempt: no pipeline around it.
            var outer = inPipeline ? builder.Build() : null;
            built = new RoutePipelines(outer, retries is null ? null : new RouteRetries(retries, decider!), frameTimeout);
            pipelines[key] = built;
        }

        return built;
    }

    /// <summary>
    /// A fixed timeout through a generator: Polly's <c>Timeout</c> property only takes 10 ms to 24 h,
    /// Istio's durations go from 1 ms and have no upper bound.
    /// </summary>
    private static Polly.Timeout.TimeoutStrategyOptions Timeout(TimeSpan timeout)
    {
        var generated = new ValueTask<TimeSpan>(timeout);
        return new() { TimeoutGenerator = _ => generated };
    }
}
