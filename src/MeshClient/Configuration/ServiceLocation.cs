namespace MeshClient.Configuration;

/// <summary>Whether a service is part of the mesh (Istio <c>ServiceEntry.location</c>).</summary>
public enum ServiceLocation
{
    /// <summary>The service is outside the mesh (Istio <c>MESH_EXTERNAL</c>, the default).</summary>
    MeshExternal = 0,

    /// <summary>The service is part of the mesh (Istio <c>MESH_INTERNAL</c>).</summary>
    MeshInternal = 1,
}
