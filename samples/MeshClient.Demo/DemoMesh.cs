using MeshClient.Configuration;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshClient.Demo;

/// <summary>
/// The application side: the mesh declarations, exactly as an application would write them.
/// Everything a real app would point at the Internet points at the embedded services on loopback.
/// </summary>
internal static class DemoMesh
{
    public const string WeatherHost = "weather.example.com";
    public const string QuotesHost = "quotes.example.com";
    public const string AlertsHost = "alerts.example.com";
    public const string BlockedUrl = "http://blocked.example.org/";
    public const string BlockedHost = "blocked.example.org";

    /// <summary>The quotes API's route timeout (Istio VirtualService <c>http[].timeout</c>).</summary>
    public static readonly TimeSpan QuotesRouteTimeout = TimeSpan.FromMilliseconds(500);

    public static ServiceProvider Build(IReadOnlyList<EmbeddedService> weather, IReadOnlyList<QuotesService> quotes, int deadPort)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)

            // On a terminal the table is redrawn in place: the mesh's warnings (the alerts endpoint's ejections)
            // would tear it, and the table shows them anyway. Redirected output keeps them.
            .AddFilter("MeshClient", LiveTable.InPlace ? LogLevel.Error : LogLevel.Warning));

        // Sidecar-like: every client of the factory goes through the mesh, and hosts that no
        // external service declares are refused before any DNS lookup or connection (REGISTRY_ONLY).
        services.AddMesh(mesh =>
        {
            mesh.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly;

            // Istio's metric names and labels beside the OpenTelemetry-style ones (recorded only while a listener, such as --prometheus, is attached).
            mesh.Telemetry.IstioCompatibleMetrics = true;
            mesh.Telemetry.SourceWorkload = "meshclient-demo";
        });
        services.ConfigureHttpClientDefaults(client => client.AddMeshHandlers());

        // The weather API: three instances, weighted 2/1/1, that the application calls by name.
        // Round robin (not the least-request default) so the summary can check the exact 50/25/25 split.
        services.AddMeshExternalService(WeatherHost, service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            foreach (var instance in weather)
            {
                service.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1", instance.Weight) { Ports = { ["http"] = instance.Port } });
            }
        }).ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(5));

        // The quotes API: two instances that sometimes take too long. The route timeout bounds every
        // call: when it expires the mesh cancels the attempt (the instance sees the request aborted)
        // and answers Envoy's 504 "upstream request timeout" with the UT flag.
        services.AddMeshExternalService(QuotesHost, service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            foreach (var instance in quotes)
            {
                service.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1", instance.Weight) { Ports = { ["http"] = instance.Port } });
            }

            service.Route.Timeout = QuotesRouteTimeout;
        }).ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(5));

        // The alerts API: its only endpoint is down (nobody listens on the port), so every call
        // ends in Envoy's 503 "upstream connect error" with the UF flag.
        services.AddMeshExternalService(AlertsHost, service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            service.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = deadPort } });

            // Outlier detection takes the dead endpoint out after 3 failures in a row, for 2 s, then 4 s, 6 s...
            // (the table's health column). With minHealthPercent the cluster then balances over all its
            // endpoints anyway (Envoy's panic mode), so the calls still go out and end 503 UF,URX, not UH.
            service.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions
            {
                Consecutive5xxErrors = 3,
                Interval = TimeSpan.FromSeconds(1),
                BaseEjectionTime = TimeSpan.FromSeconds(2),
                MaxEjectionTime = TimeSpan.FromSeconds(10),
                MaxEjectionPercent = 100,
                MinHealthPercent = 50,
            };
        }).ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(5));

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // Creates the mesh runtime now, so a configuration error shows here, not on the first call.
        _ = provider.GetRequiredService<MeshStatistics>();
        return provider;
    }
}
