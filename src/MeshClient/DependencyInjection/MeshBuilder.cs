namespace Microsoft.Extensions.DependencyInjection;

internal sealed class MeshBuilder(IServiceCollection services) : IMeshBuilder
{
    public IServiceCollection Services { get; } = services;
}
