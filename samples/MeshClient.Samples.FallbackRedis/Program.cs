// Fallback to cache: when an external service fails, the mesh serves its last good response instead
// of the error, marked `x-mesh-fallback: stale` with an `Age`, and GetMeshResult().FromCache == true.
// Memory only by default. With Redis (environment REDIS=127.0.0.1:6379, or ConnectionStrings__Redis,
// or --REDIS=...), responses are shared through it: a second instance, whose memory is empty, serves the
// first one's response while the service is down. An unreachable Redis is logged, and memory keeps working.
// Runs on loopback only: `dotnet run --project samples/MeshClient.Samples.FallbackRedis`
// (with a local Redis: `REDIS=127.0.0.1:6379 dotnet run --project samples/MeshClient.Samples.FallbackRedis`).
using MeshClient;
using MeshClient.Configuration;
using MeshClient.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var redis = configuration["REDIS"] ?? configuration.GetConnectionString("Redis");
Console.WriteLine(redis is null ? "L2: none (memory only; set REDIS=127.0.0.1:6379 to share responses through Redis)" : $"L2: Redis at {redis}");

var backend = await LoopbackBackend.StartAsync("catalog-1");
var port = backend.Port;
var uri = new Uri("http://catalog.example.com/items");

await using var instanceA = Instance(port, redis);
var clientA = instanceA.GetRequiredService<IHttpClientFactory>().CreateClient();
using (var fresh = await clientA.GetAsync(uri))
{
    Console.WriteLine($"A: GET {uri} -> {(int)fresh.StatusCode}: {await fresh.Content.ReadAsStringAsync()}");
    Console.WriteLine($"   mesh: {fresh.GetMeshResult()}");
}

await backend.DisposeAsync(); // the external service goes down
Console.WriteLine("The service is down now.");
var ok = await ServedFromCacheAsync("A", clientA, uri);

if (redis is not null)
{
    // Another instance (another process in production): empty memory, the same Redis.
    await using var instanceB = Instance(port, redis);
    ok &= await ServedFromCacheAsync("B", instanceB.GetRequiredService<IHttpClientFactory>().CreateClient(), uri);
}

Console.WriteLine(ok ? "OK" : "UNEXPECTED RESULT");
return ok ? 0 : 1;

// One application instance: the mesh with one external service that has a fallback policy.
static ServiceProvider Instance(int port, string? redis)
{
    var services = new ServiceCollection();
    services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true));
    if (redis is not null)
    {
        services.AddStackExchangeRedisCache(o => o.Configuration = redis); // L2, shared by every instance
    }

    services.AddMeshExternalService("catalog.example.com", svc =>
    {
        svc.Resolution = ServiceResolution.Static;
        svc.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        svc.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = port } });
    })
    .AddFallbackCache(fallback =>
    {
        fallback.Ttl = TimeSpan.FromSeconds(30);       // fresh for 30 s
        fallback.MaxStale = TimeSpan.FromMinutes(10);  // then served on failures for 10 more minutes
        fallback.MaxEntries = 100;                     // at most 100 responses of this service in memory
    });
    services.ConfigureHttpClientDefaults(client => client.AddMeshHandlers());
    return services.BuildServiceProvider();
}

// The response is stored off the caller's path once its body was read: ask a few times (bounded).
static async Task<bool> ServedFromCacheAsync(string instance, HttpClient client, Uri uri)
{
    for (var attempt = 0; attempt < 50; attempt++)
    {
        using var response = await client.GetAsync(uri);
        if (response.GetMeshResult() is { FromCache: true } mesh)
        {
            Console.WriteLine($"{instance}: GET {uri} -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Console.WriteLine($"   x-mesh-fallback: {string.Join(",", response.Headers.GetValues("x-mesh-fallback"))}, Age: {response.Headers.Age?.TotalSeconds} s, mesh: {mesh}");
            return true;
        }

        await Task.Delay(100);
    }

    Console.WriteLine($"{instance}: nothing was served from the cache (if Redis is set, is it reachable? see the warnings above)");
    return false;
}
