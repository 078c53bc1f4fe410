// Every HttpClient through the mesh, like a sidecar: ConfigureHttpClientDefaults + AddMeshHandlers.
// Any client the factory makes — named, typed or the default one — is routed by the mesh; with
// REGISTRY_ONLY a host nobody declared is refused (502, flag NR) before any DNS lookup or connection.
// Runs on loopback only: `dotnet run --project samples/MeshClient.Samples.AllClients`.
using MeshClient;
using MeshClient.Configuration;
using MeshClient.Samples;
using Microsoft.Extensions.DependencyInjection;

await using var backend = await LoopbackBackend.StartAsync("catalog-1");

var services = new ServiceCollection();
services.AddMesh(mesh => mesh.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly);
services.AddMeshExternalService("catalog.example.com", svc =>
{
    svc.Resolution = ServiceResolution.Static;
    svc.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
    // The one endpoint is the local backend; in production: the service's real addresses.
    svc.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = backend.Port } });
});
services.ConfigureHttpClientDefaults(client => client.AddMeshHandlers());   // every client, like a sidecar

await using var provider = services.BuildServiceProvider();
var factory = provider.GetRequiredService<IHttpClientFactory>();

// An ordinary client that knows nothing about the mesh: the application's code does not change.
var client = factory.CreateClient();
using var items = await client.GetAsync(new Uri("http://catalog.example.com/items"));
Console.WriteLine($"GET http://catalog.example.com/items -> {(int)items.StatusCode}: {await items.Content.ReadAsStringAsync()}");
Console.WriteLine($"  mesh: {items.GetMeshResult()}");

// A host that is not declared: refused by the outbound traffic policy, nothing leaves the process.
using var blocked = await client.GetAsync(new Uri("http://blocked.example.org/"));
Console.WriteLine($"GET http://blocked.example.org/ -> {(int)blocked.StatusCode}: {await blocked.Content.ReadAsStringAsync()}");
Console.WriteLine($"  mesh: {blocked.GetMeshResult()}");

var ok = items.IsSuccessStatusCode && (int)blocked.StatusCode == 502;
Console.WriteLine(ok ? "OK" : "UNEXPECTED RESULT");
return ok ? 0 : 1;
