using System.Text;
using MeshClient.Configuration;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Istio")]
public sealed class IstioLoadResultTests
{
    private const string Yaml = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: payments}
        spec:
          hosts: [api.example.com]
          ports:
          - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
          - {number: 443, name: https, protocol: HTTPS}
          resolution: STATIC
          endpoints:
          - {address: 10.0.0.1, weight: 2, locality: eu/west, ports: {https: 8443}}
          - {address: 10.0.0.2}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: legacy}
        spec:
          hosts: [legacy.example.com]
          ports: [{number: 8080, name: http-alt, protocol: HTTP, targetPort: 80}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: api, namespace: payments}
        spec:
          host: api.example.com
          trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default}
        spec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}
        """;

    private const string Json = """
        {
          "Mesh": {
            "OutboundTrafficPolicy": "RegistryOnly",
            "ExternalServices": [
              {
                "Name": "payments/api",
                "Hosts": [ "api.example.com" ],
                "Ports": [
                  { "Number": 80, "Name": "http", "Protocol": "Http", "TargetPort": 8080 },
                  { "Number": 443, "Name": "https", "Protocol": "Https" }
                ],
                "Resolution": "Static",
                "Endpoints": [
                  { "Address": "10.0.0.1", "Weight": 2, "Locality": "eu/west", "Ports": { "https": 8443 } },
                  { "Address": "10.0.0.2" }
                ],
                "TrafficPolicy": { "LoadBalancer": { "Simple": "RoundRobin" } }
              },
              {
                "Name": "legacy",
                "Hosts": [ "legacy.example.com" ],
                "Ports": [ { "Number": 8080, "Name": "http-alt", "Protocol": "Http", "TargetPort": 80 } ]
              }
            ]
          }
        }
        """;

    [Fact]
    public void Options_YamlAndEquivalentCSharp_ProduceEquivalentSnapshots()
    {
        var yaml = IstioConfigurationLoader.LoadYaml(Yaml, "mesh.yaml");
        var code = new MeshOptions { OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly };
        var api = new ExternalServiceOptions { Name = "payments/api", Resolution = ServiceResolution.Static };
        api.Hosts.Add("api.example.com");
        api.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http) { TargetPort = 8080 });
        api.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        var first = new ServiceEndpointOptions("10.0.0.1", 2) { Locality = "eu/west" };
        first.Ports["https"] = 8443;
        api.Endpoints.Add(first);
        api.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2"));
        api.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
        var legacy = new ExternalServiceOptions { Name = "legacy" };
        legacy.Hosts.Add("legacy.example.com");
        legacy.Ports.Add(new ServicePortOptions(8080, "http-alt", ServiceProtocol.Http) { TargetPort = 80 });
        code.ExternalServices.Add(api);
        code.ExternalServices.Add(legacy);

        Assert.Empty(yaml.Validate());
        Assert.Empty(MeshConfigurationValidator.Validate(code));
        AssertEquivalent(MeshSnapshot.Build(code), MeshSnapshot.Build(yaml.Options));
    }

    [Fact]
    public void Options_YamlAndEquivalentAppSettingsJson_ProduceEquivalentSnapshots()
    {
        var yaml = IstioConfigurationLoader.LoadYaml(Yaml, "mesh.yaml");

        var json = BindJson(Json);

        Assert.Empty(MeshConfigurationValidator.Validate(json));
        AssertEquivalent(MeshSnapshot.Build(json), MeshSnapshot.Build(yaml.Options));
        Assert.Equal(["Mesh:ExternalServices:0", "Mesh:ExternalServices:1"], json.ExternalServices.Select(s => s.Source));
    }

    [Fact]
    public void BindConfiguration_UnknownKeyInAppSettingsJson_RejectedWithAMessageNamingIt()
    {
        var json = BindJson(Json.Replace("\"Resolution\": \"Static\"", "\"Resolutoin\": \"Static\""));

        var error = Assert.Single(MeshConfigurationValidator.Validate(json), d => d.IsError);
        Assert.Contains("Resolutoin", error.Message);
        Assert.StartsWith("Configuration section 'Mesh': ", error.Message);
    }

    [Fact]
    public void Options_YamlAndIstioSpelledAppSettingsJson_ProduceEquivalentSnapshots()
    {
        var yaml = IstioConfigurationLoader.LoadYaml(Yaml, "mesh.yaml");
        var istioSpelled = Json
            .Replace("\"RegistryOnly\"", "\"REGISTRY_ONLY\"")
            .Replace("\"Http\"", "\"HTTP\"")
            .Replace("\"Https\"", "\"HTTPS\"")
            .Replace("\"Static\"", "\"STATIC\"")
            .Replace("\"RoundRobin\"", "\"ROUND_ROBIN\"");

        var json = BindJson(istioSpelled);

        Assert.All(["RegistryOnly", "Http", "Https", "Static", "RoundRobin"], name => Assert.DoesNotContain($"\"{name}\"", istioSpelled));
        Assert.Empty(MeshConfigurationValidator.Validate(json));
        AssertEquivalent(MeshSnapshot.Build(json), MeshSnapshot.Build(yaml.Options));
    }

    [Fact]
    public void BindConfiguration_NeitherSpellingInAppSettingsJson_RejectedListingBoth()
    {
        var json = BindJson(Json.Replace("\"Resolution\": \"Static\"", "\"Resolution\": \"DNSX\""));

        var error = Assert.Single(MeshConfigurationValidator.Validate(json), d => d.IsError);
        Assert.Equal(
            "Configuration section 'Mesh': Mesh:ExternalServices:0:Resolution: 'DNSX' is not a valid resolution; use NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS (or the C# names None, Static, Dns, DnsRoundRobin or DynamicDns).",
            error.Message);
    }

    private static MeshOptions BindJson(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
    }

    private static void AssertEquivalent(MeshSnapshot expected, MeshSnapshot actual)
    {
        Assert.Equal(expected.OutboundTrafficPolicy, actual.OutboundTrafficPolicy);
        Assert.Equal(expected.FailureMode, actual.FailureMode);
        Assert.Equal(expected.Clusters.Select(c => c.Key), actual.Clusters.Select(c => c.Key));
        for (var i = 0; i < expected.Clusters.Count; i++)
        {
            Assert.True(expected.Clusters[i].IsEquivalentTo(actual.Clusters[i]), $"cluster {expected.Clusters[i].Key} differs");
        }

        Assert.Equal(3, actual.Clusters.Count); // api:80, api:443, legacy:8080
        Assert.Equal(8443, actual.Clusters.Single(c => c.Key == new ClusterKey("api.example.com", 443)).Endpoints[0].Port);
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, actual.Clusters[0].LoadBalancer);
    }
}
