using MeshClient.Http;
using MeshClient.Model;
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
    public static RuntimeState Bind(MeshSnapshot snapshot, Dictionary<ClusterKey, Cluster> clusters, Cluster passthrough, TimeProvider timeProvider, Func<double> random)
    {
        var pipelines = new Dictionary<TimeSpan, ResiliencePipeline<HttpResponseMessage>>();
        var hosts = new List<(string, int, MeshVirtualHost)>();
        foreach (var (host, port, definition) in snapshot.VirtualHosts.Entries)
        {
            var routes = new MeshRoute[definition.Routes.Length];
            for (var i = 0; i < routes.Length; i++)
            {
                routes[i] = Bind(definition.Routes[i], clusters, pipelines, timeProvider, random);
            }

            hosts.Add((host, port, new MeshVirtualHost(definition.ServiceName, routes)));
        }

        var passthroughRoute = new RouteDefinition
        {
            Destinations = [new RouteDestination(ClusterKey.Passthrough, ClusterKey.Passthrough.Host, 1, null, null, null)],
            Timeout = snapshot.PassthroughTimeout,
        };
        var passthroughTargets = new[] { new RouteTarget(passthroughRoute.Destinations[0], passthrough) };
        return new RuntimeState(
            snapshot,
            HostTable<MeshVirtualHost>.Build(hosts),
            new MeshRoute(passthroughRoute, passthroughTargets, Pipeline(passthroughRoute, pipelines, timeProvider)));
    }

    private static MeshRoute Bind(RouteDefinition definition, Dictionary<ClusterKey, Cluster> clusters, Dictionary<TimeSpan, ResiliencePipeline<HttpResponseMessage>> pipelines, TimeProvider timeProvider, Func<double> random)
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
            ? FaultPipeline(fault, timeProvider, random)
            : Pipeline(definition, pipelines, timeProvider);
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

    /// <summary>The route's pipeline: the total timeout now; retries and per-try timeouts go inside it.</summary>
    private static ResiliencePipeline<HttpResponseMessage>? Pipeline(RouteDefinition route, Dictionary<TimeSpan, ResiliencePipeline<HttpResponseMessage>> pipelines, TimeProvider timeProvider)
    {
        if (route.Timeout is not { } timeout)
        {
            return null;
        }

        if (!pipelines.TryGetValue(timeout, out var pipeline))
        {
            pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
                .AddTimeout(timeout)
                .Build();
            pipelines[timeout] = pipeline;
        }

        return pipeline;
    }
}
