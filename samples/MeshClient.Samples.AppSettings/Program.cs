// The mesh from appsettings.json: AddMesh().BindConfiguration("Mesh") binds the "Mesh" section
// (Istio spellings such as REGISTRY_ONLY and STATIC are accepted) and follows its reloads; the
// generic host validates it on start and lists every error.
// Runs on loopback only: `dotnet run --project samples/MeshClient.Samples.AppSettings`.
using System.Globalization;
using MeshClient;
using MeshClient.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

await using var backend = await LoopbackBackend.StartAsync("catalog-1");

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,   // appsettings.json is copied next to the program
});

// appsettings.json says the endpoint listens on 127.0.0.1:8080. The sample's backend got a port from
// the OS, so that one value is layered on top, as an environment variable or a command-line
// argument would be (Mesh__ExternalServices__0__Endpoints__0__Ports__http=...).
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Mesh:ExternalServices:0:Endpoints:0:Ports:http"] = backend.Port.ToString(CultureInfo.InvariantCulture),
});

builder.Services.AddMesh().BindConfiguration("Mesh");
builder.Services.ConfigureHttpClientDefaults(client => client.AddMeshHandlers());

using var host = builder.Build();
await host.StartAsync();   // validates the mesh configuration (ValidateOnStart)

var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
using var response = await client.GetAsync(new Uri("http://catalog.example.com/items"));
Console.WriteLine($"GET http://catalog.example.com/items -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
Console.WriteLine($"  mesh: {response.GetMeshResult()}");

await host.StopAsync();
var ok = response.IsSuccessStatusCode && response.GetMeshResult() is { Attempts: 1 };
Console.WriteLine(ok ? "OK" : "UNEXPECTED RESULT");
return ok ? 0 : 1;
