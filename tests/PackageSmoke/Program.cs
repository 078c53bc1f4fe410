// The package smoke test: what a user's first program does with MeshClient and MeshClient.Istio from
// a feed. A Kestrel backend on 127.0.0.1 stands in for two external services, one declared in C#, one
// in Istio YAML; both are called through the mesh, and an undeclared host is refused in process.
// Loopback only. Exit code 0 when every check passes.
using System.Globalization;
using System.Net;
using MeshClient;
using MeshClient.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
await using var backend = builder.Build();
backend.MapGet("/hello", (HttpContext context) => $"hello {context.Request.Host.Host}");
await backend.StartAsync();
var port = new Uri(backend.Urls.First()).Port;

var meshFolder = Directory.CreateTempSubdirectory("meshclient-smoke-").FullName;
try
{
    await File.WriteAllTextAsync(Path.Combine(meshFolder, "yaml.yaml"), $$"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: yaml, namespace: smoke}
        spec:
          hosts: [yaml.example.com]
          ports:
          - {number: 80, name: http, protocol: HTTP}
          resolution: STATIC
          endpoints:
          - address: 127.0.0.1
            ports:
              http: {{port.ToString(CultureInfo.InvariantCulture)}}
        """);

    var services = new ServiceCollection();
    services.AddMesh(mesh => mesh.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly)
        .AddIstioConfiguration(meshFolder);
    services.AddMeshExternalService("csharp.example.com", svc =>
    {
        svc.Resolution = ServiceResolution.Static;
        svc.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        svc.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = port } });
    });
    services.ConfigureHttpClientDefaults(client => client.AddMeshHandlers());

    await using var provider = services.BuildServiceProvider();
    var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient();
    http.Timeout = TimeSpan.FromSeconds(10);

    var failures = 0;
    foreach (var (url, status, body) in new[]
    {
        ("http://csharp.example.com/hello", 200, "hello csharp.example.com"),
        ("http://yaml.example.com/hello", 200, "hello yaml.example.com"),
        ("http://undeclared.example.org/", 502, null),
    })
    {
        using var response = await http.GetAsync(new Uri(url));
        var text = await response.Content.ReadAsStringAsync();
        var ok = (int)response.StatusCode == status && (body is null || text == body);
        failures += ok ? 0 : 1;
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} GET {url} -> {(int)response.StatusCode} {response.GetMeshResult()}");
    }

    Console.WriteLine(failures == 0 ? "package smoke test: OK" : $"package smoke test: {failures} check(s) failed");
    return failures == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(meshFolder, recursive: true);
}
