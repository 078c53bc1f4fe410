using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>The built-in policies, chosen by <see cref="ClusterDefinition.LoadBalancer"/>.</summary>
internal sealed class EndpointPickerFactory : IEndpointPickerFactory
{
    private readonly Random? _random;

    private EndpointPickerFactory(Random? random) => _random = random;

    /// <summary>Production: each picker starts at a random position.</summary>
    public static EndpointPickerFactory Instance { get; } = new(Random.Shared);

    /// <summary>Deterministic, for tests that follow the order of picks: each picker starts at its first position.</summary>
    public static EndpointPickerFactory Ordered { get; } = new(null);

    public EndpointPicker Create(ClusterDefinition definition, MeshEndpoint[] available) => definition.LoadBalancer switch
    {
        // Only weighted round robin exists so far (validation rejects the others); UNSPECIFIED runs it too.
        LoadBalancerAlgorithm.Unspecified or LoadBalancerAlgorithm.RoundRobin => new RoundRobinPicker(available, _random?.Next() ?? 0),
        _ => throw new InvalidOperationException($"Load-balancing policy {definition.LoadBalancer} has no picker (validation should have rejected it)."),
    };
}
