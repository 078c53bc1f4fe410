using MeshClient.Configuration;
using MeshClient.Istio.Mapping;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Tests;

/// <summary>VirtualService <c>http[].retries</c> → <see cref="HttpRetryOptions"/>, over YAML snippets.</summary>
[Trait("Area", "Retries")]
public sealed class HttpRetryMapperTests
{
    private const string Path = "spec.http[0].retries";

    private static (HttpRetryOptions? Options, List<IstioDiagnostic> Diagnostics) Map(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var diagnostics = new List<IstioDiagnostic>();
        var reader = new ObjectReader("vs.yaml", null, diagnostics);
        return (HttpRetryMapper.Map(reader, (YamlMappingNode)stream.Documents[0].RootNode, Path), diagnostics);
    }

    [Fact]
    public void Map_EveryIstioField()
    {
        var (options, diagnostics) = Map("""
            attempts: 3
            perTryTimeout: 2s
            retryOn: gateway-error,connect-failure,refused-stream,503
            retryRemoteLocalities: true
            retryIgnorePreviousHosts: false
            backoff: 50ms
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(3, options!.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.PerTryTimeout);
        Assert.Equal("gateway-error,connect-failure,refused-stream,503", options.RetryOn);
        Assert.True(options.RetryRemoteLocalities);
        Assert.False(options.RetryIgnorePreviousHosts);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Backoff);
        Assert.False(options.RetryNonIdempotent); // MeshClient's own settings keep their defaults
        Assert.Null(options.Hedging);
    }

    [Fact]
    public void Map_AbsentAttempts_IsZeroAsInIstiosProto()
    {
        var (options, diagnostics) = Map("retryOn: 5xx");

        Assert.Empty(diagnostics);
        Assert.Equal(0, options!.Attempts); // the core validator reports "attempts set to 0" with other fields, as Istio does
        Assert.Equal("5xx", options.RetryOn);
    }

    [Fact]
    public void Map_AttemptsZero_TurnsRetriesOff()
    {
        var (options, _) = Map("attempts: 0");

        Assert.Null(MeshClient.Resilience.RetryPolicy.From(options));
    }

    [Fact]
    public void Map_UnreadableValues_ReportedAtTheirLineAndLeftAtDefaults()
    {
        var (options, diagnostics) = Map("""
            attempts: -1
            perTryTimeout: 0.5ms
            backoff: soon
            retryIgnorePreviousHosts: maybe
            """);

        Assert.Equal(
            [
                "vs.yaml:1:11: spec.http[0].retries.attempts: Invalid value: -1: attempts cannot be negative.",
                "vs.yaml:2:16: spec.http[0].retries.perTryTimeout: Invalid value: '0.5ms': duration must be greater than 1ms.",
                "vs.yaml:3:10: spec.http[0].retries.backoff: Invalid value: 'soon': not a duration (write it as Istio does, such as 10s, 1m or 500ms).",
                "vs.yaml:4:27: spec.http[0].retries.retryIgnorePreviousHosts: Invalid value: 'maybe': expected true or false.",
            ],
            diagnostics.Select(d => $"{d.Location}: {d.Message}"));
        Assert.Equal(0, options!.Attempts);
        Assert.Null(options.PerTryTimeout);
        Assert.Null(options.Backoff);
        Assert.True(options.RetryIgnorePreviousHosts);
    }

    [Fact]
    public void Map_MappedBlockValidates_WithTheCoreRules()
    {
        var (options, _) = Map("""
            attempts: 2
            perTryTimeout: 1s
            retryOn: connect-failure,bogus
            """);
        var service = new ExternalServiceOptions { Name = "api.example.com" };
        service.Hosts.Add("api.example.com");
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.Http.Add(new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = "api.example.com" } } }, Retries = options });
        var mesh = new MeshOptions();
        mesh.ExternalServices.Add(service);

        var findings = MeshConfigurationValidator.Validate(mesh);

        Assert.Contains(findings, d => d.IsError && d.Message.Contains("http[0].retries.retryOn: Invalid value: 'bogus'", StringComparison.Ordinal));
        Assert.Contains(findings, d => !d.IsError && d.Message.Contains("http[0].retries.perTryTimeout is set, but retryOn", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadYaml_DestinationRuleRetryBudget_ReachesTheServiceTrafficPolicy()
    {
        var yaml = IstioYaml.Stream(
            IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, endpoints: ["10.0.0.1"]),
            IstioYaml.DestinationRule("api", "api.example.com", """
                trafficPolicy:
                  retryBudget:
                    percent: {value: 25}
                    minRetryConcurrency: 5
                """));

        var result = IstioConfigurationLoader.LoadYaml(yaml, "mesh.yaml");

        Assert.Empty(result.Validate());
        var budget = Assert.Single(result.Options.ExternalServices).TrafficPolicy.RetryBudget!;
        Assert.Equal((25d, 5), (budget.Percent, budget.MinRetryConcurrency));
    }

    [Fact]
    public void LoadYaml_SubsetRetryBudget_ReachesTheSubsetsPolicy_AndItsCluster()
    {
        var yaml = IstioYaml.Stream(
            IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, body: "endpoints: [{address: 10.0.0.1, labels: {version: v1}}]"),
            IstioYaml.DestinationRule("api", "api.example.com", """
                trafficPolicy:
                  retryBudget: {percent: {value: 25}}
                subsets:
                - name: v1
                  labels: {version: v1}
                  trafficPolicy:
                    retryBudget:
                      percent: {value: 50}
                      minRetryConcurrency: 7
                """),
            IstioYaml.VirtualService("api", "api.example.com", """
                http:
                - route:
                  - destination: {host: api.example.com, subset: v1}
                    weight: 50
                  - destination: {host: api.example.com}
                    weight: 50
                """));

        var result = IstioConfigurationLoader.LoadYaml(yaml, "mesh.yaml");

        Assert.Empty(result.Validate());
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("retryBudget", StringComparison.Ordinal));
        var service = Assert.Single(result.Options.ExternalServices);
        var budget = Assert.Single(service.Subsets).TrafficPolicy!.RetryBudget!;
        Assert.Equal((50d, 7), (budget.Percent, budget.MinRetryConcurrency));
        var snapshot = MeshClient.Model.MeshSnapshot.Build(result.Options);
        var subsetCluster = snapshot.Clusters.Single(c => c.Key.Subset == "v1");
        Assert.Equal((50d, 7), (subsetCluster.RetryBudget!.Percent, subsetCluster.RetryBudget.MinRetryConcurrency));
        Assert.Equal(25d, snapshot.Clusters.Single(c => c.Key.Subset is null).RetryBudget!.Percent);
    }

    [Fact]
    public void LoadYaml_InvalidSubsetRetryBudget_ErrorAtTheSubsetsPath()
    {
        var yaml = IstioYaml.Stream(
            IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, body: "endpoints: [{address: 10.0.0.1, labels: {version: v1}}]"),
            IstioYaml.DestinationRule("api", "api.example.com", """
                subsets:
                - name: v1
                  labels: {version: v1}
                  trafficPolicy:
                    retryBudget: {percent: {value: 150}}
                """));

        var result = IstioConfigurationLoader.LoadYaml(yaml, "mesh.yaml");

        var errors = result.Diagnostics.Where(d => d.IsError).Select(d => d.Message).Concat(result.Validate().Where(d => d.IsError).Select(d => d.Message)).ToArray();
        Assert.Contains(errors, m => m.Contains("subsets[0].trafficPolicy.retryBudget", StringComparison.Ordinal));
    }

    [Fact]
    public void MapBudget_EmptyBlock_EnvoysDefaults()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("retryBudget: {}"));
        var diagnostics = new List<IstioDiagnostic>();

        var budget = HttpRetryMapper.MapBudget(new ObjectReader("dr.yaml", null, diagnostics), (YamlMappingNode)stream.Documents[0].RootNode, "spec.trafficPolicy")!;

        Assert.Empty(diagnostics);
        Assert.Equal((20d, 3), (budget.Percent, budget.MinRetryConcurrency));
    }
}
