using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

/// <summary>Istio Sidecar <c>outboundTrafficPolicy.egressProxy</c>: <see cref="MeshOptions.PassthroughDestination"/>.</summary>
[Trait("Area", "Egress")]
public sealed class SidecarEgressProxyMappingTests
{
    private static readonly string ProxyEntry = IstioYaml.ServiceEntry(
        "egress", "egress.corp.internal", "{number: 3128, name: http-proxy, protocol: HTTP}", endpoints: ["10.9.0.1"], body: "location: MESH_INTERNAL\n") + IstioYaml.Next;

    private static string Sidecar(string name, string policy) => IstioYaml.Sidecar(name, $"outboundTrafficPolicy: {policy}");

    [Fact]
    public void LoadYaml_EgressProxy_MappedToThePassthroughDestination_NoWarning()
    {
        var result = IstioConfigurationLoader.LoadYaml(ProxyEntry + Sidecar("egress", "{mode: ALLOW_ANY, egressProxy: {host: egress.corp.internal, port: {number: 3128}}}"), "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        var destination = result.Options.PassthroughDestination!;
        Assert.Equal(("egress.corp.internal", 3128, null), (destination.Host, destination.Port!.Number, destination.Subset));
        var target = new MeshOptions { OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly };
        result.ApplyTo(target);
        Assert.Equal((OutboundTrafficPolicy.AllowAny, "egress.corp.internal"), (target.OutboundTrafficPolicy, target.PassthroughDestination!.Host));
    }

    [Fact]
    public void LoadYaml_EgressProxy_Invalid_EveryErrorAtItsPath()
    {
        var yaml = Sidecar("registry", "{mode: REGISTRY_ONLY, egressProxy: {host: egress.corp.internal, port: {number: 3128}}}")
            + IstioYaml.Next + Sidecar("unset", "{egressProxy: {host: egress.corp.internal, port: {number: 3128}}}")
            + IstioYaml.Next + Sidecar("incomplete", "{mode: ALLOW_ANY, egressProxy: {host: '*.corp.internal'}}")
            + IstioYaml.Next + Sidecar("nohost", "{mode: ALLOW_ANY, egressProxy: {port: {number: 3128}}}");

        var result = IstioConfigurationLoader.LoadYaml(yaml, "sidecar.yaml");

        Assert.Equal(
            [
                ("registry", "spec.outboundTrafficPolicy.egressProxy: Invalid value: egressProxy is valid only with mode ALLOW_ANY (mode is REGISTRY_ONLY)."),
                ("unset", "spec.outboundTrafficPolicy.egressProxy: Invalid value: egressProxy is valid only with mode ALLOW_ANY (mode is not set: REGISTRY_ONLY)."),
                ("incomplete", "spec.outboundTrafficPolicy.egressProxy.host: Invalid value: '*.corp.internal': a host name, not a wildcard."),
                ("incomplete", "spec.outboundTrafficPolicy.egressProxy.port: Required value: the port of the egress proxy service (Istio requires it)."),
                ("nohost", "spec.outboundTrafficPolicy.egressProxy.host: Required value: the service unknown hosts are sent to, a ServiceEntry host."),
            ],
            result.Diagnostics.Where(d => d.IsError).Select(d => (d.Resource!.Name, d.Message)));
        Assert.Null(result.Options.PassthroughDestination);
    }

    [Fact]
    public void LoadYaml_EgressProxyOfAnUnknownService_ReportedByValidate()
    {
        var result = IstioConfigurationLoader.LoadYaml(Sidecar("egress", "{mode: ALLOW_ANY, egressProxy: {host: squid.corp.internal, port: {number: 3128}}}"), "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var error = Assert.Single(result.Validate(), d => d.IsError);
        Assert.Equal(("egress", "mesh.yaml:1:1", "spec.outboundTrafficPolicy.egressProxy.host"), (error.Resource!.Name, error.Location, error.FieldPath));
        Assert.Equal("spec.outboundTrafficPolicy.egressProxy.host 'squid.corp.internal' is not a host of a registered external service.", error.Message);
    }

    [Fact]
    public void LoadYaml_TwoSidecars_TheFirstOnesEgressProxyWins_TheOtherWarned()
    {
        var yaml = ProxyEntry
            + Sidecar("first", "{mode: ALLOW_ANY}")
            + IstioYaml.Next + Sidecar("second", "{mode: ALLOW_ANY, egressProxy: {host: egress.corp.internal, port: {number: 3128}}}");

        var result = IstioConfigurationLoader.LoadYaml(yaml, "mesh.yaml");

        Assert.Null(result.Options.PassthroughDestination);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("second", "spec.outboundTrafficPolicy.egressProxy"), (warning.Resource!.Name, warning.FieldPath));
        Assert.Equal("field spec.outboundTrafficPolicy.egressProxy is not used: an earlier Sidecar sets the outbound traffic policy; the first one wins.", warning.Message);
    }
}
