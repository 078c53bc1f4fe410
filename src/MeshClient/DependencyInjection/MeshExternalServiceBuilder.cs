namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddMeshExternalService</c>: configures the named <see cref="HttpClient"/> of the
/// service (its name is the host) like any <see cref="IHttpClientBuilder"/>, plus the mesh extras.
/// </summary>
public sealed class MeshExternalServiceBuilder : IHttpClientBuilder
{
    internal MeshExternalServiceBuilder(string host, IServiceCollection services)
    {
        Name = host;
        Host = host;
        Services = services;
    }

    /// <summary>Gets the name of the HTTP client: the host.</summary>
    public string Name { get; }

    /// <summary>Gets the host the service was declared with.</summary>
    public string Host { get; }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }
}
