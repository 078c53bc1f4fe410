using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Fallback;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Benchmarks;

/// <summary>
/// The fallback cache's cost (issue #16: "the cache's write must not add latency to the caller"), with an
/// in-memory terminal handler answering a 512-byte JSON body, read by the caller as HttpClient does:
/// <list type="bullet">
/// <item><see cref="WithoutFallback"/>: a service without a fallback policy (the baseline: one host lookup).</item>
/// <item><see cref="SuccessWithFallback"/>: a service with a policy: key, the body copied as the caller reads it (the
/// tee), the entry built, and the store queued to the thread pool (its cost there is not the caller's).</item>
/// <item><see cref="FallbackHit"/>: the service answers 503; the cached response is read from the memory level and
/// served instead (key, HybridCache read, deserialization, the stale response).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FallbackBenchmarks
{
    private static readonly Uri Plain = new("http://plain.example.com/v1/items?id=42");
    private static readonly Uri Cached = new("http://cached.example.com/v1/items?id=42");
    private static readonly Uri Down = new("http://down.example.com/v1/items?id=42");
    private static readonly byte[] Body = System.Text.Encoding.UTF8.GetBytes("{\"items\":\"" + new string('a', 500) + "\"}"); // 512 bytes

    private readonly JsonHandler _up = new(HttpStatusCode.OK);
    private readonly JsonHandler _down = new(HttpStatusCode.OK);
    private ServiceProvider? _provider;
    private HttpClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((definition, _) => definition.ServiceName == Down.Host ? _down : _up));
        services.AddMeshExternalService(Plain.Host, Service);
        services.AddMeshExternalService(Cached.Host, Service).AddFallbackCache();
        services.AddMeshExternalService(Down.Host, Service).AddFallbackCache();
        services.AddHttpClient("mesh").AddMeshHandlers().RemoveAllLoggers(); // one client for the three services, on the mesh
        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("mesh");

        // Prime the cache of the service that then goes down, and check that each variant does what it says.
        Expect(SendAsync(Down), HttpStatusCode.OK, "the down service's first answer");
        var cache = _provider.GetRequiredService<FallbackCache>();
        SpinWait.SpinUntil(() => cache.StoredCount >= 1, TimeSpan.FromSeconds(10));
        _down.Status = HttpStatusCode.ServiceUnavailable;
        Expect(SendAsync(Cached), HttpStatusCode.OK, nameof(SuccessWithFallback));
        Expect(SendAsync(Down), HttpStatusCode.OK, nameof(FallbackHit));
        if (cache.ServedCount != 1)
        {
            throw new InvalidOperationException($"{nameof(FallbackHit)} was not served from the cache ({cache.ServedCount} served, {cache.StoredCount} stored).");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    /// <summary>A service without a fallback policy (the fallback handler's table lookup only).</summary>
    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> WithoutFallback() => SendAsync(Plain);

    /// <summary>A service with a fallback policy, success path: key, tee of the body, the store queued to the thread pool.</summary>
    [Benchmark]
    public Task<HttpStatusCode> SuccessWithFallback() => SendAsync(Cached);

    /// <summary>The service answers 503: the cached response is served instead.</summary>
    [Benchmark]
    public Task<HttpStatusCode> FallbackHit() => SendAsync(Down);

    private static void Service(ExternalServiceOptions service)
    {
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
    }

    private static void Expect(Task<HttpStatusCode> send, HttpStatusCode expected, string what)
    {
        var status = send.GetAwaiter().GetResult();
        if (status != expected)
        {
            throw new InvalidOperationException($"{what}: expected {expected}, got {status}.");
        }
    }

    private async Task<HttpStatusCode> SendAsync(Uri uri)
    {
        // HttpClient's default completion option reads the body before returning, as an application's call does.
        using var response = await _client.GetAsync(uri).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>Answers <see cref="Status"/> with the JSON body (a new response per request, as a real handler).</summary>
    private sealed class JsonHandler(HttpStatusCode status) : HttpMessageHandler
    {
        public HttpStatusCode Status { get; set; } = status;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(Status) { RequestMessage = request, Content = content });
        }
    }
}
