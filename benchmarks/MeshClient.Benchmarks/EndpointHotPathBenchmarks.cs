using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Benchmarks;

/// <summary>
/// The pieces of one MeshClient attempt on their own, to attribute the pipeline's overhead: the
/// weighted round-robin pick, the URI rewrite to the endpoint, the Host header set and reset, and
/// the per-request <see cref="MeshResult"/> stored in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EndpointHotPathBenchmarks
{
    private static readonly Uri RequestUri = new("http://api.example.com/v1/items?id=42");
    private static readonly HttpRequestOptionsKey<MeshResult> ResultKey = new("MeshClient.Result");

    // The cluster precomputes its Host header value (Cluster.HostHeader), so no per-request string.
    private const string LogicalHost = "api.example.com";

    private RoundRobinPicker _picker = null!;
    private MeshEndpoint _endpoint = null!;

    [GlobalSetup]
    public void Setup()
    {
        MeshEndpoint[] endpoints =
        [
            new(new EndpointDefinition(IPAddress.Parse("10.0.0.1"), 80, 2, null)),
            new(new EndpointDefinition(IPAddress.Parse("10.0.0.2"), 80, 1, null)),
            new(new EndpointDefinition(IPAddress.Parse("10.0.0.3"), 80, 1, null)),
        ];
        _picker = new RoundRobinPicker(endpoints);
        _endpoint = endpoints[0];
    }

    /// <summary>Weighted round robin over 3 endpoints, plus the start/end counters of the attempt.</summary>
    [Benchmark]
    public int PickAndCount()
    {
        var endpoint = _picker.Pick()!;
        endpoint.OnStart();
        endpoint.OnEnd(success: true);
        return endpoint.Weight;
    }

    /// <summary>The request URI with the endpoint's authority (path and query kept).</summary>
    [Benchmark]
    public Uri RewriteUri() => _endpoint.Rewrite(RequestUri);

    /// <summary>A fresh request as HttpClient.GetAsync makes it: the floor for the next two rows.</summary>
    [Benchmark(Baseline = true)]
    public HttpRequestMessage NewRequest() => new(HttpMethod.Get, RequestUri);

    /// <summary>A fresh request plus setting and clearing the logical Host header.</summary>
    [Benchmark]
    public HttpRequestMessage NewRequestWithHostHeader()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        _ = request.Headers.Host is null;
        request.Headers.Host = LogicalHost;
        request.Headers.Host = null;
        return request;
    }

    /// <summary>
    /// The same, with the header added as a raw string (<c>TryAddWithoutValidation</c>), which
    /// skips the per-header parsed-value record; the handler parses it once when it writes it.
    /// </summary>
    [Benchmark]
    public HttpRequestMessage NewRequestWithRawHostHeader()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        _ = request.Headers.Host is null;
        request.Headers.TryAddWithoutValidation("Host", LogicalHost);
        request.Headers.Host = null;
        return request;
    }

    /// <summary>
    /// The raw header, read back once as <see cref="SocketsHttpHandler"/> does when it writes the
    /// request line (<c>request.Headers.Host</c>): where the deferred parse is paid.
    /// </summary>
    [Benchmark]
    public string? NewRequestWithRawHostHeaderReadBack()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        _ = request.Headers.Host is null;
        request.Headers.TryAddWithoutValidation("Host", LogicalHost);
        var host = request.Headers.Host;
        request.Headers.Host = null;
        return host;
    }

    /// <summary>The parsed header, read back once the same way.</summary>
    [Benchmark]
    public string? NewRequestWithHostHeaderReadBack()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        _ = request.Headers.Host is null;
        request.Headers.Host = LogicalHost;
        var host = request.Headers.Host;
        request.Headers.Host = null;
        return host;
    }

    /// <summary>A fresh request plus the per-request result stored in its Options dictionary.</summary>
    [Benchmark]
    public HttpRequestMessage NewRequestWithMeshResult()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        request.Options.Set(ResultKey, new MeshResult());
        return request;
    }
}
