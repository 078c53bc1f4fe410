namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the mesh after <see cref="MeshServiceCollectionExtensions.AddMesh(IServiceCollection, System.Action{MeshClient.Configuration.MeshOptions}?)"/>.</summary>
public interface IMeshBuilder
{
    /// <summary>Gets the service collection the mesh is registered in.</summary>
    IServiceCollection Services { get; }
}
