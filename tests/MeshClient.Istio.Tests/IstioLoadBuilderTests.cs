using System.Diagnostics;
using System.Globalization;
using MeshClient.Configuration;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Reliability")]
public sealed class IstioLoadBuilderTests
{
    [Fact]
    public void Build_40000EntriesAnd40000Rules_LinksByHostInLinearTime()
    {
        // Issue 20, defect 6: linking rules to entries compared every rule with every entry (1.6e9 host
        // comparisons here: 126 s before the fix). By host it is 80,000 lookups, well under a second; the
        // 10 s bound leaves room for a busy machine.
        const int Count = 40_000;
        var builder = new IstioLoadBuilder();
        for (var i = 0; i < Count; i++)
        {
            builder.ReadObject("se.yaml", Entry(i), i, itemIndex: null);
        }

        for (var i = 0; i < Count; i++)
        {
            builder.ReadObject("dr.yaml", Rule(i), i, itemIndex: null);
        }

        var started = Stopwatch.GetTimestamp();
        var result = builder.Build();
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"Linking took {elapsed.TotalSeconds:0.0} s.");
        Assert.Equal(Count, result.Options.ExternalServices.Count);
        Assert.All(result.Options.ExternalServices, static s => Assert.Equal(LoadBalancerAlgorithm.RoundRobin, s.TrafficPolicy.LoadBalancer.Simple));
        Assert.DoesNotContain(result.Diagnostics, static d => d.IsError || d.Message.Contains("matches no ServiceEntry", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_RuleHostInOtherCase_AppliesOnceToAnEntryListingTheHostTwice()
    {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: a}
            spec: {hosts: [a.example.com, A.example.com], ports: [{number: 80, name: http}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: a}
            spec: {host: A.EXAMPLE.COM, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}
            """;

        var result = IstioConfigurationLoader.LoadYaml(yaml, "m.yaml");

        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer.Simple);
        Assert.Equal(
            "Warning [m.yaml:9:14] DestinationRule a: spec.host 'A.EXAMPLE.COM': MeshClient keeps one traffic policy per ServiceEntry, so it applies to every host of ServiceEntry a (a.example.com, A.example.com).",
            Assert.Single(result.Diagnostics).ToString());
    }

    private static YamlMappingNode Entry(int i) => new()
    {
        { "apiVersion", "networking.istio.io/v1" },
        { "kind", "ServiceEntry" },
        { "metadata", new YamlMappingNode { { "name", Name(i) } } },
        {
            "spec", new YamlMappingNode
            {
                { "hosts", new YamlSequenceNode(new YamlScalarNode(Name(i) + ".example.com")) },
                { "ports", new YamlSequenceNode(new YamlMappingNode { { "number", "80" }, { "name", "http" } }) },
            }
        },
    };

    private static YamlMappingNode Rule(int i) => new()
    {
        { "apiVersion", "networking.istio.io/v1" },
        { "kind", "DestinationRule" },
        { "metadata", new YamlMappingNode { { "name", Name(i) } } },
        {
            "spec", new YamlMappingNode
            {
                { "host", Name(i) + ".example.com" },
                { "trafficPolicy", new YamlMappingNode { { "loadBalancer", new YamlMappingNode { { "simple", "ROUND_ROBIN" } } } } },
            }
        },
    };

    private static string Name(int i) => "s" + i.ToString(CultureInfo.InvariantCulture);
}
