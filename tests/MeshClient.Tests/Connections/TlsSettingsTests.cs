using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Model;

namespace MeshClient.Tests.Connections;

[Trait("Area", "Tls")]
public sealed class TlsSettingsTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(10);

    [Fact]
    public void For_NoTlsOrDisable_Null()
    {
        var service = Service();
        Assert.Null(TlsSettings.For(service, 80, null, Refresh));

        service.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Disable };
        Assert.Null(TlsSettings.For(service, 80, null, Refresh));
    }

    [Fact]
    public void For_PortLevelSettings_ReplaceTheServiceLevelTlsForThatPortOnly()
    {
        var service = Service();
        service.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple, Sni = "service.level" };
        service.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 80, Tls = new TlsOptions { Mode = TlsMode.Simple, Sni = "port.level" } });
        service.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 8080 });

        Assert.Equal("port.level", TlsSettings.For(service, 80, null, Refresh)!.Sni);
        Assert.Equal("service.level", TlsSettings.For(service, 443, null, Refresh)!.Sni);
        Assert.Null(TlsSettings.For(service, 8080, null, Refresh)); // no inheritance: no tls on the port
    }

    [Fact]
    public void For_SubjectAltNames_DestinationRuleElseServiceEntry()
    {
        var service = Service();
        service.SubjectAltNames.Add("se.example.com");
        service.TrafficPolicy.Tls = new TlsOptions { Mode = TlsMode.Simple };
        Assert.Equal(["se.example.com"], TlsSettings.For(service, 80, null, Refresh)!.SubjectAltNames);

        service.TrafficPolicy.Tls.SubjectAltNames.Add("dr.example.com");
        Assert.Equal(["dr.example.com"], TlsSettings.For(service, 80, null, Refresh)!.SubjectAltNames);
    }

    [Fact]
    public void From_CredentialName_KubernetesTlsSecretLayoutUnderTheCredentialsDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), "meshclient-cred-" + Guid.NewGuid().ToString("N"));
        var secret = Path.Combine(root, "orders");
        Directory.CreateDirectory(secret);
        File.WriteAllText(Path.Combine(secret, "ca.crt"), string.Empty);
        try
        {
            var settings = TlsSettings.From(new TlsOptions { Mode = TlsMode.Mutual, CredentialName = "orders" }, [], root, Refresh)!;

            Assert.Equal(Path.Combine(secret, "tls.crt"), settings.ClientCertificate);
            Assert.Equal(Path.Combine(secret, "tls.key"), settings.PrivateKey);
            Assert.Equal(Path.Combine(secret, "ca.crt"), settings.CaCertificates);
            Assert.Null(settings.CaCrl); // ca.crl is optional
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Equals_SameValuesInOtherLists_Equal_SoAReloadKeepsThePools()
    {
        var a = new WireSettings { Tls = new TlsSettings { Sni = "x", SubjectAltNames = ["a", "b"] } };
        var b = new WireSettings { Tls = new TlsSettings { Sni = "x", SubjectAltNames = ["a", "b"] } };
        var c = new WireSettings { Tls = new TlsSettings { Sni = "x", SubjectAltNames = ["a"] } };

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(WireSettings.Default, a);
    }

    [Fact]
    public void Merge_SubsetTls_ReplacesTheServiceTlsWhole()
    {
        var service = new TrafficPolicyOptions { Tls = new TlsOptions { Mode = TlsMode.Simple, Sni = "service.level" } };
        var subset = new TrafficPolicyOptions { Tls = new TlsOptions { Mode = TlsMode.Mutual, Sni = "subset.level" } };

        Assert.Equal("subset.level", MeshSnapshot.Merge(service, subset).Tls!.Sni);
        Assert.Equal("service.level", MeshSnapshot.Merge(service, new TrafficPolicyOptions()).Tls!.Sni);
    }

    [Fact]
    public void ToString_NamesModeAndSniOnly() =>
        Assert.Equal("Mutual sni=x", new TlsSettings { Mode = TlsMode.Mutual, Sni = "x", PrivateKey = "/secret/tls.key" }.ToString());

    private static ExternalServiceOptions Service()
    {
        var service = new ExternalServiceOptions { Name = "api.example.com" };
        service.Hosts.Add("api.example.com");
        return service;
    }
}
