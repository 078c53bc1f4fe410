using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Benchmarks;

/// <summary>
/// The fallback cache's cost on the success path (issue #16: "the cache's write must not add latency"):
/// one GET through the mesh to a service without a fallback policy, and to one with a policy, whose
/// response is then captured and stored in HybridCache off the caller's path (the store runs on the
/// thread pool). Same in-memory terminal handler as <see cref="PipelineOverheadBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FallbackBenchmarks
{
    private static readonly Uri Plain = new("http://plain.example.com/v1/items?id=42");
    private static readonly Uri Cached = new("http://cached.example.com/v1/items?id=42");

    private ServiceProvider? _provider;
    private HttpClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        var handler = new InMemoryHandler();
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((_, _) => handler));
        services.AddMeshExternalService(Plain.Host, Service);
        services.AddMeshExternalService(Cached.Host, Service).AddFallbackCache();
        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient();

        using var response = _client.GetAsync(Cached).GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The fallback variant did not answer: {response.GetMeshResult()}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    /// <summary>A service without a fallback policy (the fallback handler's table lookup only).</summary>
    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> WithoutFallback() => SendAsync(Plain);

    /// <summary>A service with a fallback policy: key, capture, and the store queued to the thread pool.</summary>
    [Benchmark]
    public Task<HttpStatusCode> WithFallback() => SendAsync(Cached);

    private static void Service(ExternalServiceOptions service)
    {
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
    }

    private async Task<HttpStatusCode> SendAsync(Uri uri)
    {
        using var response = await _client.GetAsync(uri).ConfigureAwait(false);
        return response.StatusCode;
    }
}
