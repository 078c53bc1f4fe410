using MeshClient.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshClient.Demo;

/// <summary>
/// Fallback to cache, on its own mesh: a forecast API answers once, goes down, and the application still
/// gets the last good answer, marked stale (docs/fallback-cache.md).
/// </summary>
internal static class FallbackDemo
{
    public const string ForecastHost = "forecast.example.com";

    public static async Task RunAsync()
    {
        var forecast = await EmbeddedService.StartAsync("forecast-a", ForecastHost, weight: 1);
        var port = forecast.Port;
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(console => console.SingleLine = true));
        services.AddMeshExternalService(ForecastHost, service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            service.Endpoints.Add(new ServiceEndpointOptions("127.0.0.1") { Ports = { ["http"] = port } });
        }).AddFallbackCache(fallback => fallback.Ttl = TimeSpan.FromMinutes(1));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ForecastHost);

        Console.WriteLine($"Fallback to cache ({ForecastHost}, AddFallbackCache):");
        await ShowAsync(client, "while the API is up");
        await Task.Delay(TimeSpan.FromMilliseconds(200)); // the cache is written off the caller's path
        await forecast.DisposeAsync();
        await ShowAsync(client, "after the API went down");
        Console.WriteLine();
    }

    private static async Task ShowAsync(HttpClient client, string when)
    {
        var url = $"http://{ForecastHost}/weather?city=Geneva";
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        var marker = response.Headers.TryGetValues("x-mesh-fallback", out var values) ? $"   x-mesh-fallback: {string.Join(",", values)}   Age: {response.Headers.Age?.TotalSeconds:0}" : string.Empty;
        Console.WriteLine($"  GET {url} ({when})");
        Console.WriteLine($"    -> {(int)response.StatusCode} {response.ReasonPhrase}{marker}");
        Console.WriteLine($"    body: {body}");
        Console.WriteLine($"    response.GetMeshResult(): {response.GetMeshResult()}");
    }
}
