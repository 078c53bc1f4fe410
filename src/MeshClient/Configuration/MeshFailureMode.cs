namespace MeshClient.Configuration;

/// <summary>How MeshClient reports a request that the mesh itself ended.</summary>
public enum MeshFailureMode
{
    /// <summary>
    /// Return what an Envoy sidecar returns: a synthesized 502/503/504 with Envoy's body text and
    /// headers (the default). The flags are readable with
    /// <see cref="MeshResponseExtensions.GetMeshResult(System.Net.Http.HttpResponseMessage)"/>.
    /// </summary>
    Response = 0,

    /// <summary>Throw a typed <see cref="MeshException"/> that carries the Envoy response flags.</summary>
    Throw = 1,
}
