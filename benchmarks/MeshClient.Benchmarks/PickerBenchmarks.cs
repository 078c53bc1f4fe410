using System.Net;
using BenchmarkDotNet.Attributes;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Benchmarks;

/// <summary>
/// One pick of each load-balancing policy over 3, 10 and 100 idle endpoints of equal weight (the
/// weighted variants of least request and random at the same sizes), through the factory that
/// clusters use. The request carries the consistent-hash header, so ring hash and Maglev hash it
/// on every pick. Targets (issue 12): at most 50 ns (100 ns for the hash policies) and 0 B per pick.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PickerBenchmarks
{
    private static readonly HttpMessageInvoker Unused = new(new InMemoryHandler());

    private EndpointPicker _picker = null!;
    private HttpRequestMessage _request = null!;

    /// <summary>The policy; the <c>Weighted</c> variants give the first endpoint weight 3.</summary>
    [Params("RoundRobin", "LeastRequest", "LeastRequestWeighted", "Random", "RandomWeighted", "PeakEwma", "RingHash", "Maglev")]
    public string Policy { get; set; } = "LeastRequest";

    [Params(3, 10, 100)]
    public int Endpoints { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = Policy switch
        {
            "RoundRobin" => new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.RoundRobin },
            "LeastRequest" or "LeastRequestWeighted" => new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.LeastRequest },
            "Random" or "RandomWeighted" => new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.Random },
            "PeakEwma" => new LoadBalancerOptions { Simple = LoadBalancerAlgorithm.PeakEwma },
            "RingHash" => new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user" } },
            "Maglev" => new LoadBalancerOptions { ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user", Maglev = new MaglevOptions() } },
            _ => throw new InvalidOperationException(Policy),
        };

        var endpoints = new MeshEndpoint[Endpoints];
        var definitions = new EndpointDefinition[Endpoints];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var weight = i == 0 && Policy.EndsWith("Weighted", StringComparison.Ordinal) ? 3 : 1;
            definitions[i] = new EndpointDefinition(IPAddress.Parse($"10.0.{i / 250}.{(i % 250) + 1}"), 80, weight, null);
            endpoints[i] = new MeshEndpoint(definitions[i], Unused);
        }

        var definition = new ClusterDefinition(
            new ClusterKey("api.example.com", 80),
            "api.example.com",
            ServiceResolution.Static,
            ServiceProtocol.Http,
            options.Simple,
            null,
            definitions,
            loadBalancing: LoadBalancerSettings.From(options));
        _picker = EndpointPickerFactory.Instance.Create(definition, endpoints);
        _request = new HttpRequestMessage(HttpMethod.Get, "http://api.example.com/v1/items?id=42");
        _request.Headers.TryAddWithoutValidation("x-user", "user-12345");
    }

    [GlobalCleanup]
    public void Cleanup() => _request.Dispose();

    [Benchmark]
    public int Pick() => _picker.Pick(new PickContext(_request, null)).Endpoint!.Weight;
}
