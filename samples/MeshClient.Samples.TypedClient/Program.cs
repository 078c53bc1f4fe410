// A typed client for one external service: AddMeshExternalService returns the service's
// IHttpClientBuilder (named client = host, BaseAddress = http://catalog.example.com/), so the usual
// AddTypedClient, ConfigureHttpClient and AddHttpMessageHandler calls work on it; only this service's
// client goes through the mesh here.
// Runs on loopback only: `dotnet run --project samples/MeshClient.Samples.TypedClient`.
using System.Net.Http.Json;
using MeshClient;
using MeshClient.Configuration;
using MeshClient.Samples;
using Microsoft.Extensions.DependencyInjection;

await using var backend = await LoopbackBackend.StartAsync("catalog-1");

var services = new ServiceCollection();
services.AddMeshExternalService("catalog.example.com", svc =>
{
    svc.Resolution = ServiceResolution.Static;
    svc.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
    svc.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = backend.Port } });
    svc.Route.Timeout = TimeSpan.FromSeconds(5);                 // Istio VirtualService http[].timeout
})
.ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(10))
.AddTypedClient<CatalogClient>();

await using var provider = services.BuildServiceProvider();
var catalog = provider.GetRequiredService<CatalogClient>();
var (items, mesh) = await catalog.GetItemsAsync();
Console.WriteLine($"CatalogClient.GetItemsAsync() -> {string.Join(", ", items?.Names ?? [])} (served by {items?.Server}, Host: {items?.Host})");
Console.WriteLine($"  mesh: {mesh}");

var ok = items is { Host: "catalog.example.com" } && mesh is { Attempts: 1 };
Console.WriteLine(ok ? "OK" : "UNEXPECTED RESULT");
return ok ? 0 : 1;

/// <summary>The application's typed client: it uses relative URIs against the service's BaseAddress.</summary>
internal sealed class CatalogClient(HttpClient http)
{
    public async Task<(Items? Items, MeshResult? Mesh)> GetItemsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri("/items", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Items>(cancellationToken), response.GetMeshResult());
    }
}
