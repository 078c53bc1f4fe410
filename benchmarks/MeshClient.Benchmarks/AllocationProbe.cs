using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Benchmarks;

/// <summary>
/// A quick, exact allocation count per request for a few mesh configurations (bytes are exact even
/// on a busy machine, unlike times): <c>dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --probe</c>.
/// It attributes the bytes BenchmarkDotNet reports to the mesh's features (route timeout, retry policy).
/// </summary>
internal static class AllocationProbe
{
    private const int Requests = 20_000;
    private static readonly Uri RequestUri = new("http://api.example.com/v1/items?id=42");

    public static void Run(bool byType = false)
    {
        if (byType)
        {
            RunByType();
            return;
        }

        foreach (var yielding in new[] { false, true })
        {
            var handler = new InMemoryHandler(yielding);
            Console.WriteLine(yielding ? "Yielding terminal" : "Synchronous terminal");
            using (var raw = new HttpClient(handler, disposeHandler: false))
            {
                Report("raw", raw);
            }

            Probe("mesh, defaults (100 s timeout, Istio retries)", handler, _ => { });
            Probe("mesh, no retry policy (timeout only)", handler, mesh => mesh.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 });
            Probe("mesh, no timeout, no retries (no pipeline)", handler, mesh =>
            {
                mesh.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 };
                mesh.DefaultTimeout = null;
            });
            Probe("mesh, retries, no timeout", handler, mesh => mesh.DefaultTimeout = null);
            Probe("mesh, defaults without generated x-request-id", handler, mesh => mesh.Telemetry.GenerateRequestId = false);
            Probe("mesh, defaults without Istio's proxy headers", handler, mesh =>
            {
                mesh.Telemetry.GenerateRequestId = false;
                mesh.Telemetry.IncludeAttemptCount = false;
            });
        }
    }

    /// <summary>
    /// The yielding terminal with the mesh's defaults and raw, each followed by its allocations by type
    /// (<see cref="AllocationTypes"/>): <c>-- --probe-types</c>; environment variable <c>PROBE_N</c> sets the number of requests (400,000).
    /// </summary>
    private static void RunByType()
    {
        var requests = int.Parse(Environment.GetEnvironmentVariable("PROBE_N") ?? "400000", System.Globalization.CultureInfo.InvariantCulture);
        var handler = new InMemoryHandler(yielding: true);
        using var types = new AllocationTypes();
        using (var raw = new HttpClient(handler, disposeHandler: false))
        {
            Warm(raw);
            types.Reset();
            Console.WriteLine("raw, yielding terminal");
            Repeat(raw, requests);
            types.Print(requests);
        }

        using var provider = MeshProvider(handler, _ => { });
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("probe");
        Warm(client);
        types.Reset();
        Console.WriteLine("mesh, defaults, yielding terminal");
        Repeat(client, requests);
        types.Print(requests);
    }

    private static void Warm(HttpClient client) => Repeat(client, 2_000);

    private static void Repeat(HttpClient client, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            Send(client);
        }
    }

    private static void Probe(string name, InMemoryHandler handler, Action<MeshOptions> configure)
    {
        using var provider = MeshProvider(handler, configure);
        Report(name, provider.GetRequiredService<IHttpClientFactory>().CreateClient("probe"));
    }

    private static ServiceProvider MeshProvider(InMemoryHandler handler, Action<MeshOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((_, _) => handler));
        services.AddMesh(configure);
        services.AddMeshExternalService("api.example.com", service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2"));
        });
        services.AddHttpClient("probe").AddMeshHandlers().RemoveAllLoggers();
        return services.BuildServiceProvider();
    }

    private static void Report(string name, HttpClient client)
    {
        Warm(client);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < Requests; i++)
        {
            Send(client);
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - before) / Requests;
        Console.WriteLine($"  {name,-50} {bytes,6} B/request  ~{elapsed.TotalNanoseconds / Requests,8:F0} ns/request (rough)");
    }

    private static void Send(HttpClient client)
    {
        using var response = client.GetAsync(RequestUri).GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"probe request failed: {response.StatusCode}");
        }
    }
}
