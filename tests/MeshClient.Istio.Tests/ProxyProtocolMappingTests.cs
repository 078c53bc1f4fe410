using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

/// <summary>DestinationRule <c>trafficPolicy.proxyProtocol</c> (rule and subset).</summary>
[Trait("Area", "ConnectionPool")]
public sealed class ProxyProtocolMappingTests
{
    private static readonly string Entry = IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, endpoints: ["10.0.0.1"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_RuleAndSubset_Mapped_NoWarning()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              proxyProtocol: {version: V2}
            subsets:
            - name: v1
              trafficPolicy:
                proxyProtocol: {}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entry + rule, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        var service = Assert.Single(result.Options.ExternalServices);
        Assert.Equal(ProxyProtocolVersion.V2, service.TrafficPolicy.ProxyProtocol!.Version);
        Assert.Equal(ProxyProtocolVersion.V1, service.Subsets[0].TrafficPolicy!.ProxyProtocol!.Version); // Istio's default version
    }

    [Fact]
    public void LoadYaml_UnknownVersion_ErrorAtItsPath()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              proxyProtocol: {version: V3}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entry + rule, "mesh.yaml");

        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(("spec.trafficPolicy.proxyProtocol.version", "spec.trafficPolicy.proxyProtocol.version: Unsupported value: 'V3': supported values: V1, V2."), (error.FieldPath, error.Message));
    }
}
