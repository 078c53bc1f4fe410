using MeshClient.Configuration;
using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

/// <summary>MeshClient's <c>meshclient.io/v1alpha1 EgressProxy</c> kind beside Istio's objects.</summary>
[Trait("Area", "Egress")]
public sealed class EgressProxyMappingTests
{
    private static readonly string Entries = IstioYaml.Stream(
        IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, "DNS"),
        IstioYaml.ServiceEntry("partner", "partner.example.org", IstioYaml.Https443, "DNS")) + IstioYaml.Next;

    private static readonly string Proxies = IstioYaml.Stream(
        IstioYaml.EgressProxy("corporate", """
            host: "*"
            address: http://proxy.corp.example:3128
            noProxy: [.corp.example]
            """),
        IstioYaml.EgressProxy("partner", """
            host: partner.example.org
            address: http://10.0.0.7:8080
            credentialName: partner-proxy
            """));

    [Fact]
    public void LoadYaml_MeshWideAndPerHost_Mapped()
    {
        var result = IstioConfigurationLoader.LoadYaml(Entries + Proxies, "egress.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.All(result.Resources, r => Assert.Equal(IstioResourceStatus.Mapped, r.Status));
        var target = new MeshOptions();
        result.ApplyTo(target);
        Assert.Equal("http://proxy.corp.example:3128", target.EgressProxy!.Address);
        Assert.Equal([".corp.example"], target.EgressProxy.NoProxy);
        var partner = target.ExternalServices.Single(s => s.Hosts.Contains("partner.example.org")).EgressProxy!;
        Assert.Equal(("http://10.0.0.7:8080", "partner-proxy"), (partner.Address, partner.CredentialName));
        Assert.Null(target.ExternalServices.Single(s => s.Hosts.Contains("api.example.com")).EgressProxy);
    }

    [Fact]
    public void LoadYaml_InvalidEgressProxy_RejectedWithFieldPaths()
    {
        var invalid = IstioYaml.EgressProxy("bad", """
            host: api.example.com
            address: https://user:pw@proxy:3128
            noProxy: [a.b]
            port: 3128
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entries + invalid, "egress.yaml");

        var resource = result.Resources.Single(r => r.Kind == "EgressProxy");
        Assert.Equal(IstioResourceStatus.Rejected, resource.Status);
        var errors = result.Diagnostics.Where(d => d.IsError && d.Resource == resource).Select(d => (d.FieldPath, d.Message)).ToArray();
        Assert.Equal(
            [
                ("spec.port", "spec.port: unknown field \"port\": it is not part of the Istio EgressProxy API."),
                ("spec.address", "spec.address must be an absolute http:// URI with the proxy's host and port (was 'https://***@proxy:3128'): TLS to the proxy itself (an https:// proxy) is not supported yet; https:// requests still reach the external host through an http:// proxy in a CONNECT tunnel, with TLS end to end."),
                ("spec.noProxy", "spec.noProxy applies to the mesh-wide proxy (host \"*\") only; a service's proxy is used for all of its hosts."),
            ],
            errors);
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("pw@", StringComparison.Ordinal));
        Assert.Null(result.Options.ExternalServices[0].EgressProxy);
    }

    [Fact]
    public void LoadYaml_UnknownHostAndSecondMeshWide_Warned()
    {
        const string More = """
            ---
            apiVersion: meshclient.io/v1alpha1
            kind: EgressProxy
            metadata: {name: nowhere}
            spec: {host: nowhere.example.net, address: "http://127.0.0.1:3128"}
            ---
            apiVersion: meshclient.io/v1alpha1
            kind: EgressProxy
            metadata: {name: second}
            spec: {host: "*", address: "http://127.0.0.1:3129"}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Entries + Proxies + "\n" + More, "egress.yaml");

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        Assert.Contains(result.Diagnostics, d => d.Resource?.Name == "nowhere" && d.Message == "spec.host 'nowhere.example.net' matches no ServiceEntry host, so the EgressProxy has no effect (use \"*\" for every external service).");
        Assert.Contains(result.Diagnostics, d => d.Resource?.Name == "second" && d.Message == "spec.host '*': an earlier EgressProxy is already the mesh-wide proxy; the first one wins.");
        Assert.Equal("http://proxy.corp.example:3128", result.Options.EgressProxy!.Address);
    }

    [Fact]
    public void LoadYaml_OtherApiVersion_Rejected()
    {
        var result = IstioConfigurationLoader.LoadYaml(Proxies.Replace("v1alpha1", "v2", StringComparison.Ordinal), "egress.yaml");

        Assert.Contains(result.Diagnostics, d => d.IsError && d.FieldPath == "apiVersion" && d.Message == "apiVersion: Unsupported value: 'meshclient.io/v2': EgressProxy is meshclient.io/v1alpha1.");
    }

    [Fact]
    public void Validate_Tool_AcceptsEgressProxyObjects()
    {
        using var folder = new TempFolder();
        var file = folder.Write("egress.yaml", Entries + Proxies.Replace("\n  credentialName: partner-proxy", string.Empty, StringComparison.Ordinal));

        var run = ToolRun.Validate(file);

        Assert.True(run.Code == Program.Success, run.Output + run.Error);
        Assert.StartsWith("OK: 1 file(s), 4 object(s)", run.Output, StringComparison.Ordinal);
    }
}
