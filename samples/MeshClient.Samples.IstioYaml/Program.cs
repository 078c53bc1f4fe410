// The mesh from unmodified Istio YAML: AddMesh().AddIstioConfiguration("mesh/") reads ServiceEntry,
// DestinationRule, VirtualService and Sidecar objects and watches the files.
// Runs on loopback only: `dotnet run --project samples/MeshClient.Samples.IstioYaml`.
using System.Globalization;
using MeshClient;
using MeshClient.Samples;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

await using var backend = await LoopbackBackend.StartAsync("catalog-1");

// mesh/catalog.yaml says the endpoint listens on 127.0.0.1:8080; the sample's backend got its port
// from the OS, so the sample copies the folder with that port filled in. Your application points
// AddIstioConfiguration at its own mesh/ folder as it is.
var meshFolder = Directory.CreateTempSubdirectory("meshclient-sample-").FullName;
try
{
    foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "mesh"), "*.yaml"))
    {
        var yaml = await File.ReadAllTextAsync(file);
        var port = backend.Port.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(meshFolder, Path.GetFileName(file)), yaml.Replace("{http: 8080}", $"{{http: {port}}}", StringComparison.Ordinal));
    }

    var services = new ServiceCollection();
    services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
    services.AddMesh().AddIstioConfiguration(meshFolder);                       // folders and/or files
    services.ConfigureHttpClientDefaults(client => client.AddMeshHandlers());   // every client, like a sidecar

    await using var provider = services.BuildServiceProvider();
    var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient();

    using var items = await client.GetAsync(new Uri("http://catalog.example.com/items"));
    Console.WriteLine($"GET http://catalog.example.com/items -> {(int)items.StatusCode}: {await items.Content.ReadAsStringAsync()}");
    Console.WriteLine($"  mesh: {items.GetMeshResult()}");

    // The Sidecar's REGISTRY_ONLY: an undeclared host is refused in process (502, flag NR).
    using var blocked = await client.GetAsync(new Uri("http://blocked.example.org/"));
    Console.WriteLine($"GET http://blocked.example.org/ -> {(int)blocked.StatusCode}: {await blocked.Content.ReadAsStringAsync()}");
    Console.WriteLine($"  mesh: {blocked.GetMeshResult()}");

    var ok = items.IsSuccessStatusCode && (int)blocked.StatusCode == 502;
    Console.WriteLine(ok ? "OK" : "UNEXPECTED RESULT");
    return ok ? 0 : 1;
}
finally
{
    Directory.Delete(meshFolder, recursive: true);
}
