using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Chooses an endpoint for one attempt. A picker is an immutable view of one set of available
/// endpoints, built by the cluster's single writer and swapped atomically when the set changes;
/// <see cref="Pick"/> takes no lock and allocates nothing.
/// </summary>
internal abstract class EndpointPicker
{
    protected EndpointPicker(MeshEndpoint[] endpoints) => Endpoints = endpoints;

    /// <summary>The endpoints this picker chooses from (the available ones: not ejected, not failing checks).</summary>
    public MeshEndpoint[] Endpoints { get; }

    /// <summary>Returns the endpoint for the next attempt, or <see cref="PickResult.None"/> when there is none (Envoy <c>UH</c>).</summary>
    public abstract PickResult Pick(in PickContext context);
}
