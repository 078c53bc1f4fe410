using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the mesh and its external services.</summary>
public static class MeshServiceCollectionExtensions
{
    /// <summary>
    /// Adds the mesh: the registry of external services, the outbound traffic policy and the shared
    /// runtime. Clients opt in with <see cref="MeshHttpClientBuilderExtensions.AddMeshHandlers(IHttpClientBuilder)"/>,
    /// for example for every client with
    /// <c>services.ConfigureHttpClientDefaults(b =&gt; b.AddMeshHandlers())</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the mesh-wide options; may be called more than once.</param>
    /// <returns>A builder to add configuration sources such as <c>BindConfiguration</c> or <c>AddIstioConfiguration</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The configuration is validated when the host starts (every error listed in one
    /// <see cref="OptionsValidationException"/>), or without a host when the first mesh client is
    /// created (<see cref="MeshConfigurationException"/>).
    /// </remarks>
    public static IMeshBuilder AddMesh(this IServiceCollection services, Action<MeshOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new MeshBuilder(services);
    }

    /// <summary>
    /// Declares an external service (an Istio <c>ServiceEntry</c>) and a named <see cref="HttpClient"/>
    /// for it whose name is <paramref name="host"/>. Every mesh client (this one, and any client with
    /// <see cref="MeshHttpClientBuilderExtensions.AddMeshHandlers(IHttpClientBuilder)"/>) routes calls to the host through the mesh.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="host">The host the application calls, for example <c>api.example.com</c> or <c>*.example.com</c>.</param>
    /// <param name="configure">Configures the service: ports, resolution, endpoints, traffic policy.</param>
    /// <returns>The builder of the named client, usable as an <see cref="IHttpClientBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty or white space.</exception>
    public static MeshExternalServiceBuilder AddMeshExternalService(this IServiceCollection services, string host, Action<ExternalServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services);
        services.Configure<MeshOptions>(options =>
        {
            var service = new ExternalServiceOptions { Name = host };
            service.Hosts.Add(host);
            configure(service);
            options.ExternalServices.Add(service);
        });
        return AddServiceClient(services, host);
    }

    /// <summary>
    /// Declares an external service bound from configuration (for example a section of
    /// <c>appsettings.json</c> with <c>Ports</c>, <c>Resolution</c> and <c>Endpoints</c>), reloaded when the
    /// configuration changes. Unknown keys are errors. Enum values take the C# names (<c>Static</c>)
    /// or Istio's spellings (<c>STATIC</c>, <c>MESH_INTERNAL</c>, <c>ROUND_ROBIN</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="host">The host the application calls; added to <c>Hosts</c> when the section does not list it.</param>
    /// <param name="configuration">The configuration section of the service.</param>
    /// <returns>The builder of the named client, usable as an <see cref="IHttpClientBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty or white space.</exception>
    public static MeshExternalServiceBuilder AddMeshExternalService(this IServiceCollection services, string host, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services);
        services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(new ConfigurationChangeTokenSource<MeshOptions>(configuration));
        services.Configure<MeshOptions>(options =>
        {
            var service = new ExternalServiceOptions { Name = host };
            var path = configuration is IConfigurationSection section ? section.Path : "(configuration)";
            if (MeshConfigurationBinding.TryBind(configuration, service, $"Configuration '{path}' of external service '{host}'", options.SourceDiagnostics))
            {
                if (!service.Hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
                {
                    service.Hosts.Insert(0, host);
                }

                service.Source ??= path;
                options.ExternalServices.Add(service);
            }
        });
        return AddServiceClient(services, host);
    }

    private static MeshExternalServiceBuilder AddServiceClient(IServiceCollection services, string host)
    {
        var client = services.AddHttpClient(host);
        client.AddMeshHandlers();
        client.ConfigureHttpClient((provider, httpClient) => SetBaseAddress(provider, httpClient, host));
        return new MeshExternalServiceBuilder(host, services);
    }

    // The named client's BaseAddress is the host on its first port (https for HTTPS/TLS or 443),
    // so that client.GetAsync("/path") works. Not for wildcard hosts, which name no single host.
    // Read from the runtime's published snapshot, never from IOptionsMonitor: CurrentValue waits for a
    // reload in progress, and client creation must never wait for a reload (issue 20, defect 3).
    private static void SetBaseAddress(IServiceProvider provider, HttpClient client, string host)
    {
        if (client.BaseAddress is not null || HostPattern.IsWildcard(host))
        {
            return;
        }

        if (provider.GetRequiredService<MeshRuntime>().State.Snapshot.FirstPorts.TryGetValue(host, out var port))
        {
            var https = port.Protocol is ServiceProtocol.Https or ServiceProtocol.Tls || port.Number == 443;
            client.BaseAddress = new UriBuilder(https ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, host, port.Number).Uri;
        }
    }

    private static void AddCore(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(MeshMarker)))
        {
            return;
        }

        services.AddSingleton<MeshMarker>();
        services.AddOptions();
        services.AddHttpClient();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, MeshHandlerBuilderFilter>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterPolicyFactory, OutlierDetectorFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterPolicyFactory, ActiveHealthCheckerFactory>());
        services.TryAddSingleton<IDnsLookup, DnsClientLookup>();
        services.TryAddSingleton(static provider => new MeshRuntime(
            provider.GetRequiredService<IOptionsMonitor<MeshOptions>>(),
            provider.GetService<ILogger<MeshRuntime>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ClusterHandlerFactory>(),
            provider.GetService<IEndpointPickerFactory>(),
            provider.GetServices<IClusterPolicyFactory>(),
            provider.GetService<MeshClient.Resilience.RetryJitter>(),
            provider.GetService<IDnsLookup>(),
            provider.GetServices<IMeshEndpointResolver>(),
            provider.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            provider.GetService<IMeshCredentialProvider>()));
        services.TryAddSingleton(static provider => new MeshStatistics(provider.GetRequiredService<MeshRuntime>()));
        MeshFallbackBuilderExtensions.AddFallbackServices(services);
        services.AddSingleton<IValidateOptions<MeshStartupValidator.Marker>, MeshStartupValidator>();
        services.AddOptions<MeshStartupValidator.Marker>().ValidateOnStart();
    }

    private sealed class MeshMarker;
}
