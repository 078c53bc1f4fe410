using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Benchmarks;

/// <summary>
/// One GET through each pipeline over the same in-memory terminal handler:
/// what the pipeline itself costs per request, with no I/O. The MeshClient variant runs the real
/// routing handler, registry lookup, cluster acquire/release, weighted round-robin pick over 3
/// STATIC endpoints, endpoint counters and the per-request <see cref="MeshResult"/>; only each
/// endpoint's <see cref="SocketsHttpHandler"/> is replaced (<see cref="ClusterHandlerFactory"/>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PipelineOverheadBenchmarks
{
    private const string Host = "api.example.com";
    private const string TimedHost = "timed.example.com";
    private static readonly Uri RequestUri = new($"http://{Host}/v1/items?id=42");
    private static readonly Uri TimedRequestUri = new($"http://{TimedHost}/v1/items?id=42");

    private InMemoryHandler _handler = null!;
    private ServiceProvider? _provider;
    private ServiceProvider? _providerWithoutProxyHeaders;
    private HttpClient _raw = null!;
    private HttpClient _factoryRaw = null!;
    private HttpClient _mesh = null!;
    private HttpClient _meshWithoutFactoryLogging = null!;
    private HttpClient _meshWithRouteTimeout = null!;
    private HttpClient _meshWithoutProxyHeaders = null!;
    private HttpClient _standardResilience = null!;

    [GlobalSetup]
    public void Setup()
    {
        _handler = new InMemoryHandler(Terminal == TerminalKind.Yielding);
        var services = new ServiceCollection();

        // (b) MeshClient: the in-memory handler replaces each cluster's SocketsHttpHandler.
        services.AddSingleton(new ClusterHandlerFactory((_, _) => _handler));
        services.AddMeshExternalService(Host, ThreeStaticEndpoints);

        // (b'') the same service with a route timeout (Istio http[].timeout): the Polly timeout runs.
        services.AddMeshExternalService(TimedHost, service =>
        {
            ThreeStaticEndpoints(service);
            service.Route.Timeout = TimeSpan.FromSeconds(10);
        });

        // (b') the same mesh pipeline on a factory client without the factory's two logging handlers
        // (RemoveAllLoggers, a supported IHttpClientBuilder option): MeshClient's handlers alone, to
        // compare with (a).
        services.AddHttpClient("mesh-without-factory-logging").AddMeshHandlers().RemoveAllLoggers();

        // (a') the factory's own pipeline (its logging handlers) over the same handler: the fair
        // baseline for the two factory-built variants.
        services.AddHttpClient("raw").ConfigurePrimaryHttpMessageHandler(() => _handler);

        // (c) the Microsoft standard resilience pipeline, defaults, over the same handler.
        services.AddHttpClient("standard").ConfigurePrimaryHttpMessageHandler(() => _handler).AddStandardResilienceHandler();

        _provider = services.BuildServiceProvider();
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        _raw = new HttpClient(_handler, disposeHandler: false);
        _factoryRaw = factory.CreateClient("raw");
        _mesh = factory.CreateClient(Host);
        _meshWithoutFactoryLogging = factory.CreateClient("mesh-without-factory-logging");
        _meshWithRouteTimeout = factory.CreateClient(TimedHost);
        _standardResilience = factory.CreateClient("standard");

        // (b''') MeshClient's handlers alone, as (b'), in a mesh that sends neither of the two headers Istio
        // adds by default (x-request-id, x-envoy-attempt-count; Istio proxyHeaders): the same request on
        // the wire as (a), so the difference is the mesh's own work, not the headers' storage.
        var withoutProxyHeaders = new ServiceCollection();
        withoutProxyHeaders.AddSingleton(new ClusterHandlerFactory((_, _) => _handler));
        withoutProxyHeaders.AddMesh(mesh =>
        {
            mesh.Telemetry.GenerateRequestId = false;
            mesh.Telemetry.IncludeAttemptCount = false;
        });
        withoutProxyHeaders.AddMeshExternalService(Host, ThreeStaticEndpoints);
        withoutProxyHeaders.AddHttpClient("mesh-without-proxy-headers").AddMeshHandlers().RemoveAllLoggers();
        _providerWithoutProxyHeaders = withoutProxyHeaders.BuildServiceProvider();
        _meshWithoutProxyHeaders = _providerWithoutProxyHeaders.GetRequiredService<IHttpClientFactory>().CreateClient("mesh-without-proxy-headers");

        // Fail fast if a variant does not do what it claims.
        foreach (var (mesh, uri) in new[] { (_mesh, RequestUri), (_meshWithoutFactoryLogging, RequestUri), (_meshWithRouteTimeout, TimedRequestUri), (_meshWithoutProxyHeaders, RequestUri) })
        {
            using var response = mesh.GetAsync(uri).GetAwaiter().GetResult();
            if (response.StatusCode != HttpStatusCode.OK || response.GetMeshResult() is not { Endpoint: not null })
            {
                throw new InvalidOperationException($"A mesh variant did not route through an endpoint: {response.GetMeshResult()}");
            }
        }
    }

    /// <summary>The service every mesh variant calls: 3 STATIC endpoints on port 80.</summary>
    private static void ThreeStaticEndpoints(ExternalServiceOptions service)
    {
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2"));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.3"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _provider?.Dispose();
        _providerWithoutProxyHeaders?.Dispose();
    }

    /// <summary>(a) <c>new HttpClient(handler)</c>: the floor.</summary>
    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> Raw() => SendAsync(_raw, RequestUri);

    /// <summary>(a') an <c>IHttpClientFactory</c> client with no extra handlers.</summary>
    [Benchmark]
    public Task<HttpStatusCode> FactoryRaw() => SendAsync(_factoryRaw, RequestUri);

    /// <summary>(b) the MeshClient pipeline: AddMeshExternalService with 3 STATIC endpoints.</summary>
    [Benchmark]
    public Task<HttpStatusCode> MeshClient() => SendAsync(_mesh, RequestUri);

    /// <summary>(b') the MeshClient handlers alone: a factory client with AddMeshHandlers() and RemoveAllLoggers().</summary>
    [Benchmark]
    public Task<HttpStatusCode> MeshClientWithoutFactoryLogging() => SendAsync(_meshWithoutFactoryLogging, RequestUri);

    /// <summary>(b'') the MeshClient pipeline for a service with a route timeout (a Polly timeout around the attempt).</summary>
    [Benchmark]
    public Task<HttpStatusCode> MeshClientWithRouteTimeout() => SendAsync(_meshWithRouteTimeout, TimedRequestUri);

    /// <summary>(b''') the MeshClient handlers alone, as (b'), without Istio's default proxy headers: the same request on the wire as (a).</summary>
    [Benchmark]
    public Task<HttpStatusCode> MeshClientWithoutProxyHeaders() => SendAsync(_meshWithoutProxyHeaders, RequestUri);

    /// <summary>(c) AddStandardResilienceHandler() with its defaults.</summary>
    [Benchmark]
    public Task<HttpStatusCode> StandardResilience() => SendAsync(_standardResilience, RequestUri);

    /// <summary>
    /// <see langword="false"/>: a bare <c>GetAsync</c> (the request has no headers). <see langword="true"/>:
    /// the request carries one ordinary header (<c>Accept: application/json</c>), as most real calls do.
    /// (The mesh used to set <c>Host</c>, which costs the header collection on a bare request.)
    /// </summary>
    [Params(false, true)]
    public bool WithHeader { get; set; }

    /// <summary>
    /// <see cref="TerminalKind.Synchronous"/>: the terminal handler's task is complete when returned
    /// (the fast path of every handler above). <see cref="TerminalKind.Yielding"/>: it completes later,
    /// as a real socket's does, so each handler's asynchronous path and its state machine are measured.
    /// </summary>
    [Params(TerminalKind.Synchronous, TerminalKind.Yielding)]
    public TerminalKind Terminal { get; set; }

    /// <summary>How the in-memory terminal handler answers.</summary>
    public enum TerminalKind
    {
        /// <summary>An already completed task.</summary>
        Synchronous,

        /// <summary>A task that completes after a <see cref="Task.Yield"/>.</summary>
        Yielding,
    }

    private async Task<HttpStatusCode> SendAsync(HttpClient client, Uri requestUri)
    {
        if (!WithHeader)
        {
            using var bare = await client.GetAsync(requestUri);
            return bare.StatusCode;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, requestUri);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
