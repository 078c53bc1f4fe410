using MeshClient.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.DependencyInjection;

/// <summary>TLS from <c>appsettings.json</c>: Istio spellings of the mode, port-level settings, the mesh-wide file settings.</summary>
[Trait("Area", "Tls")]
public sealed class TlsConfigurationBindingTests
{
    [Fact]
    public void BindConfiguration_TlsAndPortLevelSettings_Bind()
    {
        var options = Bind(new()
        {
            ["Mesh:CredentialsDirectory"] = "/var/run/secrets/tls",
            ["Mesh:CertificateRefreshInterval"] = "00:00:30",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:Tls:Mode"] = "MUTUAL",
            ["Mesh:ExternalServices:0:TrafficPolicy:Tls:ClientCertificate"] = "/etc/certs/client.pem",
            ["Mesh:ExternalServices:0:TrafficPolicy:Tls:PrivateKey"] = "/etc/certs/client.key",
            ["Mesh:ExternalServices:0:TrafficPolicy:Tls:CaCertificates"] = "/etc/certs/ca.pem",
            ["Mesh:ExternalServices:0:TrafficPolicy:Tls:SubjectAltNames:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:Tls:Sni"] = "sni.example.com",
            ["Mesh:ExternalServices:0:TrafficPolicy:PortLevelSettings:0:Port"] = "80",
            ["Mesh:ExternalServices:0:TrafficPolicy:PortLevelSettings:0:Tls:Mode"] = "simple",
            ["Mesh:ExternalServices:0:TrafficPolicy:PortLevelSettings:0:Tls:InsecureSkipVerify"] = "true",
        });

        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal("/var/run/secrets/tls", options.CredentialsDirectory);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CertificateRefreshInterval);
        var policy = options.ExternalServices[0].TrafficPolicy;
        Assert.Equal(TlsMode.Mutual, policy.Tls!.Mode);
        Assert.Equal(("/etc/certs/client.pem", "/etc/certs/client.key", "/etc/certs/ca.pem", "sni.example.com"), (policy.Tls.ClientCertificate, policy.Tls.PrivateKey, policy.Tls.CaCertificates, policy.Tls.Sni));
        Assert.Equal(["api.example.com"], policy.Tls.SubjectAltNames);
        var port = Assert.Single(policy.PortLevelSettings);
        Assert.Equal((80, TlsMode.Simple, true), (port.Port, port.Tls!.Mode, port.Tls.InsecureSkipVerify));
    }

    [Fact]
    public void BindConfiguration_UnknownTlsMode_ErrorListsIstioAndCSharpNames()
    {
        var options = Bind(new() { ["Mesh:ExternalServices:0:TrafficPolicy:Tls:Mode"] = "STRICT" });

        var error = Assert.Single(options.SourceDiagnostics);
        Assert.EndsWith("Mesh:ExternalServices:0:TrafficPolicy:Tls:Mode: 'STRICT' is not a valid TLS mode; use DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL (or the C# names Disable, Simple, Mutual or IstioMutual).", error.Message, StringComparison.Ordinal);
    }

    private static MeshOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
    }
}
