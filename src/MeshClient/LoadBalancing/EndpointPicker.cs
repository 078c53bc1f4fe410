using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Chooses an endpoint for one attempt. A picker is an immutable view of one endpoint set, swapped
/// atomically when the set changes; <see cref="Pick"/> takes no lock and allocates nothing.
/// </summary>
internal abstract class EndpointPicker
{
    protected EndpointPicker(MeshEndpoint[] endpoints) => Endpoints = endpoints;

    public MeshEndpoint[] Endpoints { get; }

    /// <summary>Returns the endpoint for the next attempt, or <see langword="null"/> when there is none (Envoy <c>UH</c>).</summary>
    public abstract MeshEndpoint? Pick();
}
