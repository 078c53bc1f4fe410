using MeshClient.Routing;
using Polly;

namespace MeshClient.Runtime;

/// <summary>
/// A route of the live state: its definition, its destinations bound to live clusters, the weighted
/// schedule over them and its Polly pipeline (the route timeout; retries go inside it). Built once
/// per snapshot, immutable; requests read it without a lock.
/// </summary>
internal sealed class MeshRoute
{
    private readonly WeightedSchedule? _schedule;

    public MeshRoute(RouteDefinition definition, RouteTarget[] targets, ResiliencePipeline<HttpResponseMessage>? pipeline)
    {
        Definition = definition;
        Targets = targets;
        Pipeline = pipeline;
        if (targets.Length > 1)
        {
            var weights = new int[targets.Length];
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = targets[i].Destination.Weight;
            }

            _schedule = new WeightedSchedule(weights);
        }
    }

    public RouteDefinition Definition { get; }

    public RouteTarget[] Targets { get; }

    /// <summary>The route's pipeline, or <see langword="null"/> when it has no policy, so that a request without one pays nothing for it.</summary>
    public ResiliencePipeline<HttpResponseMessage>? Pipeline { get; }

    /// <summary>The destination for the next request (by weight when there are several).</summary>
    public RouteTarget SelectTarget() => _schedule is null ? Targets[0] : Targets[_schedule.Next()];
}

/// <summary>A route destination bound to its live cluster (<see langword="null"/>: no such cluster).</summary>
internal sealed record RouteTarget(RouteDestination Destination, Cluster? Cluster);
