using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Benchmarks;

/// <summary>
/// The pieces of one MeshClient attempt on their own, to attribute the pipeline's overhead: the
/// weighted round-robin pick with the endpoint's attempt counters, and the per-request
/// <see cref="MeshResult"/> stored in <see cref="HttpRequestMessage.Options"/>. (The request URI
/// is not rewritten and no Host header is set: each endpoint's connection pool connects to its
/// address, see <c>ClusterConnections</c>.)
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EndpointHotPathBenchmarks
{
    private static readonly Uri RequestUri = new("http://api.example.com/v1/items?id=42");
    private static readonly HttpRequestOptionsKey<MeshResult> ResultKey = new("MeshClient.Result");

    private RoundRobinPicker _picker = null!;
    private HttpMessageInvoker _unused = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unused = new HttpMessageInvoker(new SocketsHttpHandler());
        MeshEndpoint[] endpoints =
        [
            new(new EndpointDefinition(IPAddress.Parse("10.0.0.1"), 80, 2, null), _unused),
            new(new EndpointDefinition(IPAddress.Parse("10.0.0.2"), 80, 1, null), _unused),
            new(new EndpointDefinition(IPAddress.Parse("10.0.0.3"), 80, 1, null), _unused),
        ];
        _picker = new RoundRobinPicker(endpoints);
    }

    [GlobalCleanup]
    public void Cleanup() => _unused.Dispose();

    /// <summary>Weighted round robin over 3 endpoints, plus the start/end counters of the attempt.</summary>
    [Benchmark]
    public int PickAndCount()
    {
        var endpoint = _picker.Pick()!;
        _ = endpoint.TryStart();
        endpoint.OnEnd(success: true);
        return endpoint.Weight;
    }

    /// <summary>A fresh request as HttpClient.GetAsync makes it: the floor for the next row.</summary>
    [Benchmark(Baseline = true)]
    public HttpRequestMessage NewRequest() => new(HttpMethod.Get, RequestUri);

    /// <summary>A fresh request plus the per-request result stored in its Options dictionary.</summary>
    [Benchmark]
    public HttpRequestMessage NewRequestWithMeshResult()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        request.Options.Set(ResultKey, new MeshResult());
        return request;
    }
}
