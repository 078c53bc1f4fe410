using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Chooses the load-balancing policy of a cluster: called by the cluster's single writer each time
/// its available endpoints or its definition change.
/// </summary>
internal interface IEndpointPickerFactory
{
    EndpointPicker Create(ClusterDefinition definition, MeshEndpoint[] available);
}
