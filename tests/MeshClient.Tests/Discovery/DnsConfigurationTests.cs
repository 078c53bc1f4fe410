using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Discovery;

/// <summary><c>Mesh:Dns</c> in appsettings, and what the snapshot makes of the DNS resolutions.</summary>
[Trait("Area", "Discovery")]
public sealed class DnsConfigurationTests
{
    [Fact]
    public void BindConfiguration_MeshDns_EveryKey()
    {
        var options = Bind(new()
        {
            ["Mesh:Dns:NameServers:0"] = "127.0.0.1:5353",
            ["Mesh:Dns:NameServers:1"] = "10.0.0.2",
            ["Mesh:Dns:RefreshRate"] = "00:00:30",
            ["Mesh:Dns:RespectTtl"] = "false",
            ["Mesh:Dns:MinRefreshInterval"] = "00:00:01",
            ["Mesh:Dns:MaxRefreshInterval"] = "00:05:00",
            ["Mesh:Dns:Jitter"] = "00:00:00.250",
            ["Mesh:Dns:LookupFamily"] = "All",
            ["Mesh:Dns:QueryTimeout"] = "00:00:02",
            ["Mesh:Dns:FirstResolutionTimeout"] = "00:00:03",
            ["Mesh:Dns:MaxDynamicHosts"] = "16",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "DNS",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
        });

        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal(["127.0.0.1:5353", "10.0.0.2"], options.Dns.NameServers);
        Assert.Equal(
            (TimeSpan.FromSeconds(30), false, TimeSpan.FromSeconds(1), (TimeSpan?)TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(250), DnsLookupFamily.All, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), 16),
            (options.Dns.RefreshRate, options.Dns.RespectTtl, options.Dns.MinRefreshInterval, options.Dns.MaxRefreshInterval, options.Dns.Jitter, options.Dns.LookupFamily, options.Dns.QueryTimeout, options.Dns.FirstResolutionTimeout, options.Dns.MaxDynamicHosts));
        Assert.Equal(ServiceResolution.Dns, options.ExternalServices[0].Resolution);
        Assert.Empty(MeshOptionsValidator.Validate(options));
    }

    [Fact]
    public void BindConfiguration_UnknownLookupFamily_Reported()
    {
        var options = Bind(new() { ["Mesh:Dns:LookupFamily"] = "V5Only" });

        Assert.Equal(
            "Configuration section 'Mesh': Mesh:Dns:LookupFamily: 'V5Only' is not a valid DNS lookup family; use V4Only, V6Only or All.",
            Assert.Single(options.SourceDiagnostics).Message);
    }

    [Fact]
    public void Defaults_AreIstios()
    {
        var dns = new DnsOptions();

        Assert.Empty(dns.NameServers);
        Assert.Equal(
            (TimeSpan.FromSeconds(60), true, TimeSpan.FromSeconds(5), (TimeSpan?)null, TimeSpan.FromMilliseconds(100), DnsLookupFamily.V4Only, 1024),
            (dns.RefreshRate, dns.RespectTtl, dns.MinRefreshInterval, dns.MaxRefreshInterval, dns.Jitter, dns.LookupFamily, dns.MaxDynamicHosts));
    }

    [Fact]
    public void Snapshot_DnsWithoutEndpoints_ResolvesTheHostOnTheTargetPort_DnsRoundRobinHasOneLogicalEndpoint()
    {
        var options = new MeshOptions();
        options.Dns.NameServers.Add("127.0.0.1:5353");
        var strict = new ExternalServiceOptions { Resolution = ServiceResolution.Dns, Hosts = { "a.example.com", "b.example.com" } };
        strict.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https) { TargetPort = 8443 });
        var logical = new ExternalServiceOptions { Resolution = ServiceResolution.DnsRoundRobin, Hosts = { "c.example.com" } };
        logical.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        logical.Endpoints.Add(new ServiceEndpointOptions("lb.example.com", 2));
        options.ExternalServices.Add(strict);
        options.ExternalServices.Add(logical);

        var clusters = MeshSnapshot.Build(options).Clusters;

        Assert.Equal(["a.example.com:8443"], clusters[0].DnsTargets.Select(t => t.Authority));
        Assert.Equal(["b.example.com:8443"], clusters[1].DnsTargets.Select(t => t.Authority));
        Assert.Empty(clusters[0].Endpoints);
        Assert.Equal(["lb.example.com:80"], clusters[2].Endpoints.Select(e => e.Authority));
        Assert.Equal(DnsSettings.From(options.Dns), clusters[0].Dns);
        Assert.Equal("127.0.0.1:5353", Assert.Single(clusters[0].Dns!.NameServers).ToString());
    }

    private static MeshOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddMesh().BindConfiguration("Mesh");
        services.AddSingleton<IConfiguration>(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
    }
}
