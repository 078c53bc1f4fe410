using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Benchmarks;

/// <summary>
/// What a route's retry policy costs when the first attempt succeeds (the common case), against the
/// same route without any policy: Istio's default retry policy (with and without a route timeout) and
/// hedging whose first attempt answers before the hedge delay. The mesh's handlers alone
/// (<c>RemoveAllLoggers</c>), 3 STATIC endpoints, the in-memory terminal of
/// <see cref="PipelineOverheadBenchmarks"/>. [retries] target: ≤ 300 ns and ≤ 200 B over no policy.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class RetryPolicyBenchmarks
{
    private static readonly Uri NoPolicyUri = new("http://none.example.com/v1/items");
    private static readonly Uri RetriesUri = new("http://retries.example.com/v1/items");
    private static readonly Uri RetriesWithTimeoutUri = new("http://timed.example.com/v1/items");
    private static readonly Uri TimeoutOnlyUri = new("http://timeout-only.example.com/v1/items");
    private static readonly Uri HedgingUri = new("http://hedged.example.com/v1/items");

    private ServiceProvider? _provider;
    private HttpClient _client = null!;

    /// <summary>Whether the terminal handler answers synchronously or after a yield (as a socket does).</summary>
    [Params(PipelineOverheadBenchmarks.TerminalKind.Synchronous, PipelineOverheadBenchmarks.TerminalKind.Yielding)]
    public PipelineOverheadBenchmarks.TerminalKind Terminal { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var handler = new InMemoryHandler(Terminal == PipelineOverheadBenchmarks.TerminalKind.Yielding);
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((_, _) => handler));
        services.AddMesh(mesh =>
        {
            mesh.DefaultTimeout = null; // each service says what it has
            mesh.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 };
        });
        Service(services, NoPolicyUri.Host, _ => { });
        Service(services, RetriesUri.Host, route => route.Retries = new HttpRetryOptions());
        Service(services, RetriesWithTimeoutUri.Host, route =>
        {
            route.Retries = new HttpRetryOptions();
            route.Timeout = TimeSpan.FromSeconds(10);
        });
        Service(services, TimeoutOnlyUri.Host, route => route.Timeout = TimeSpan.FromSeconds(10));
        Service(services, HedgingUri.Host, route => route.Retries = new HttpRetryOptions
        {
            Attempts = 1,
            Hedging = new HttpHedgingOptions { Delay = TimeSpan.FromSeconds(1), MaxAttempts = 2 },
        });
        services.AddHttpClient("mesh").AddMeshHandlers().RemoveAllLoggers();
        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("mesh");

        // Fail fast if a variant does not do what it claims.
        foreach (var uri in new[] { NoPolicyUri, RetriesUri, RetriesWithTimeoutUri, TimeoutOnlyUri, HedgingUri })
        {
            using var response = _client.GetAsync(uri).GetAwaiter().GetResult();
            if (response.StatusCode != HttpStatusCode.OK || response.GetMeshResult() is not { Endpoint: not null, Attempts: 1 })
            {
                throw new InvalidOperationException($"{uri.Host} did not answer on its first attempt: {response.GetMeshResult()}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    /// <summary>A route without timeout or retries: no Polly pipeline.</summary>
    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> NoPolicy() => SendAsync(NoPolicyUri);

    /// <summary>Istio's default retry policy (2 retries on connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes), no route timeout.</summary>
    [Benchmark]
    public Task<HttpStatusCode> DefaultRetries() => SendAsync(RetriesUri);

    /// <summary>A 10 s route timeout without retries: the baseline of <see cref="DefaultRetriesWithTimeout"/> (the mesh's defaults have a timeout).</summary>
    [Benchmark]
    public Task<HttpStatusCode> TimeoutOnly() => SendAsync(TimeoutOnlyUri);

    /// <summary>The default retry policy inside a 10 s route timeout.</summary>
    [Benchmark]
    public Task<HttpStatusCode> DefaultRetriesWithTimeout() => SendAsync(RetriesWithTimeoutUri);

    /// <summary>Hedging (a second attempt after 1 s), the first attempt answering at once.</summary>
    [Benchmark]
    public Task<HttpStatusCode> Hedging() => SendAsync(HedgingUri);

    private static void Service(IServiceCollection services, string host, Action<RouteOptions> route) =>
        services.AddMeshExternalService(host, service =>
        {
            service.Resolution = ServiceResolution.Static;
            service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2"));
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.3"));
            route(service.Route);
        });

    private async Task<HttpStatusCode> SendAsync(Uri uri)
    {
        using var response = await _client.GetAsync(uri);
        return response.StatusCode;
    }
}
