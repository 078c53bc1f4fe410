using MeshClient.Routing;
using Polly;

namespace MeshClient.Runtime;

/// <summary>
/// A route of the live state: its definition, its destinations bound to live clusters, the weighted
/// schedule over them and its policies (route timeout, retries, hedging, fault). Built once
/// per snapshot, immutable; requests read it without a lock.
/// </summary>
internal sealed class MeshRoute
{
    private readonly WeightedSchedule? _schedule;

    public MeshRoute(RouteDefinition definition, RouteTarget[] targets, RoutePipelines pipelines)
    {
        Definition = definition;
        Targets = targets;
        Pipeline = pipelines.Pipeline;
        Retries = pipelines.Retries;
        Timeout = pipelines.Timeout;
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

    /// <summary>
    /// The route's Polly pipeline (route timeout, hedging or retries with a per-try timeout, or a fault),
    /// or <see langword="null"/> when it has none of these: then <see cref="Timeout"/> and
    /// <see cref="Retries"/> (each optional) are run by the routing handler itself.
    /// </summary>
    public ResiliencePipeline<HttpResponseMessage>? Pipeline { get; }

    /// <summary>
    /// The retry strategy on its own, entered only when the first attempt's outcome is retriable (inside
    /// <see cref="Timeout"/>, on its token); <see langword="null"/> when the retries (if any) are inside
    /// <see cref="Pipeline"/> (hedging, a per-try timeout).
    /// </summary>
    public RouteRetries? Retries { get; }

    /// <summary>The route's total timeout when it is not in <see cref="Pipeline"/> (<see langword="null"/>: none, or in the pipeline).</summary>
    public Resilience.RouteTimeout? Timeout { get; }

    /// <summary>The mirrors bound to their clusters (a <see langword="null"/> cluster: none, the copy is dropped).</summary>
    public RouteTarget[] Mirrors { get; init; } = [];

    /// <summary>The destination for the next request (by weight when there are several).</summary>
    public RouteTarget SelectTarget() => _schedule is null ? Targets[0] : Targets[_schedule.Next()];
}

/// <summary>A route's pipelines (see <see cref="MeshRoute.Pipeline"/>, <see cref="MeshRoute.Retries"/> and <see cref="MeshRoute.Timeout"/>).</summary>
internal readonly record struct RoutePipelines(ResiliencePipeline<HttpResponseMessage>? Pipeline, RouteRetries? Retries, Resilience.RouteTimeout? Timeout = null);

/// <summary>A retry strategy entered after a retriable first attempt, and the decider it runs (to tell whether to enter it).</summary>
internal sealed record RouteRetries(ResiliencePipeline<HttpResponseMessage> Pipeline, Resilience.RetryDecider Decider)
{
    /// <summary>Whether the policy retries <paramref name="outcome"/> (Polly's predicate says the rest: limits, budget, safety).</summary>
    public bool Retriable(in Outcome<HttpResponseMessage> outcome, HttpRequestMessage request) =>
        (Decider.Conditions(in outcome, request) & Decider.Policy.Conditions) != 0;
}

/// <summary>A route destination bound to its live cluster (<see langword="null"/>: no such cluster).</summary>
internal sealed record RouteTarget(RouteDestination Destination, Cluster? Cluster);
