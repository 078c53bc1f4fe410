using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Health;
using MeshClient.Model;
using MeshClient.Runtime;

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

    private static readonly AttemptOutcome Ok = AttemptOutcome.Response(200, 0, 0);

    private Cluster _cluster = null!;

    [GlobalSetup]
    public void Setup()
    {
        var definition = new ClusterDefinition(
            new ClusterKey("api.example.com", 80),
            "api.example.com",
            ServiceResolution.Static,
            ServiceProtocol.Http,
            LoadBalancerAlgorithm.RoundRobin,
            null,
            [
                new EndpointDefinition(IPAddress.Parse("10.0.0.1"), 80, 2, null),
                new EndpointDefinition(IPAddress.Parse("10.0.0.2"), 80, 1, null),
                new EndpointDefinition(IPAddress.Parse("10.0.0.3"), 80, 1, null),
            ]);
        _cluster = new Cluster(definition, new ClusterServices(handlerFactory: new ClusterHandlerFactory((_, _) => new InMemoryHandler())));
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    /// <summary>
    /// One attempt's bookkeeping on a cluster: weighted round robin over 3 endpoints, acquiring the
    /// endpoint's pool, and ending the attempt with its outcome (counters, tracker, policies).
    /// </summary>
    [Benchmark]
    public int PickAndCount()
    {
        var pick = _cluster.StartAttempt(default, out var pool, out var admission);
        _cluster.EndAttempt(pick, pool!, admission, Ok);
        return pick.Endpoint!.Weight;
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
