using System.Net;
using System.Text;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Model;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Connections;

/// <summary>DestinationRule <c>trafficPolicy.proxyProtocol</c>: the header, the wire settings, validation and binding.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class ProxyProtocolTests
{
    private static readonly IPEndPoint Source4 = new(IPAddress.Parse("10.0.0.5"), 51234);
    private static readonly IPEndPoint Destination4 = new(IPAddress.Parse("10.0.0.1"), 443);

    [Fact]
    public void V1_Tcp4_Tcp6_Unknown()
    {
        Assert.Equal("PROXY TCP4 10.0.0.5 10.0.0.1 51234 443\r\n", Encoding.ASCII.GetString(ProxyProtocolHeader.Build(ProxyProtocolVersion.V1, Source4, Destination4)));
        Assert.Equal(
            "PROXY TCP6 2001:db8::5 2001:db8::1 40000 8443\r\n",
            Encoding.ASCII.GetString(ProxyProtocolHeader.Build(ProxyProtocolVersion.V1, new IPEndPoint(IPAddress.Parse("2001:db8::5"), 40000), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 8443))));
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(ProxyProtocolHeader.Build(ProxyProtocolVersion.V1, null, null)));
    }

    [Fact]
    public void V2_Tcp4_Binary_AndLocalWithoutAddresses()
    {
        byte[] signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

        Assert.Equal(
            [.. signature, 0x21, 0x11, 0x00, 0x0C, 10, 0, 0, 5, 10, 0, 0, 1, 0xC8, 0x22, 0x01, 0xBB],
            ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, Source4, Destination4));
        Assert.Equal([.. signature, 0x20, 0x00, 0x00, 0x00], ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, null, null));
        var v6 = ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, new IPEndPoint(IPAddress.IPv6Loopback, 1), new IPEndPoint(IPAddress.IPv6Loopback, 2));
        Assert.Equal((16 + 36, (byte)0x21, (byte)36), (v6.Length, v6[13], v6[15]));
    }

    [Fact]
    public void DualModeSocket_MixedFamilies_WrittenAsIPv6()
    {
        var header = ProxyProtocolHeader.Build(ProxyProtocolVersion.V1, new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.5"), 1), new IPEndPoint(IPAddress.Parse("10.0.0.1"), 2));

        Assert.Equal("PROXY TCP6 ::ffff:10.0.0.5 ::ffff:10.0.0.1 1 2\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void Snapshot_ServiceSubsetAndPortLevel_CarryTheVersion_SubsetReplacesIt()
    {
        var options = new MeshOptions();
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        service.Ports.Add(new ServicePortOptions(8443, "https-alt", ServiceProtocol.Https));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1") { Labels = { ["v"] = "2" } });
        service.TrafficPolicy.ProxyProtocol = new ProxyProtocolOptions { Version = ProxyProtocolVersion.V1 };
        service.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 8443, ConnectionPool = new ConnectionPoolOptions() });
        service.Subsets.Add(new SubsetOptions { Name = "v2", Labels = { ["v"] = "2" }, TrafficPolicy = new TrafficPolicyOptions { ProxyProtocol = new ProxyProtocolOptions { Version = ProxyProtocolVersion.V2 } } });
        service.Http.Add(new HttpRouteOptions { Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = "api.example.com", Subset = "v2" } } } });
        options.ExternalServices.Add(service);

        Assert.DoesNotContain(MeshOptionsValidator.Validate(options), d => d.IsError);
        var clusters = MeshSnapshot.Build(options).Clusters.ToDictionary(c => c.Key.ToString());

        Assert.Equal(ProxyProtocolVersion.V1, clusters["outbound|443||api.example.com"].Wire.ProxyProtocol);
        Assert.Equal(ProxyProtocolVersion.V1, clusters["outbound|8443||api.example.com"].Wire.ProxyProtocol); // not a port-level component
        Assert.Equal(ProxyProtocolVersion.V2, clusters["outbound|443|v2|api.example.com"].Wire.ProxyProtocol);
    }

    [Fact]
    public void Validate_UnknownVersion_Error()
    {
        var options = new MeshOptions();
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        service.TrafficPolicy.ProxyProtocol = new ProxyProtocolOptions { Version = (ProxyProtocolVersion)3 };
        options.ExternalServices.Add(service);

        Assert.Equal(
            ["External service 'api.example.com': trafficPolicy.proxyProtocol.version: Unsupported value: 3: supported values: V1, V2."],
            MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message));
    }

    [Fact]
    public void BindConfiguration_ProxyProtocolVersion_Binds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "STATIC",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
            ["Mesh:ExternalServices:0:Ports:0:Protocol"] = "HTTPS",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.1",
            ["Mesh:ExternalServices:0:TrafficPolicy:ProxyProtocol:Version"] = "V2",
        }).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        var options = harness.Services.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;

        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal(ProxyProtocolVersion.V2, options.ExternalServices[0].TrafficPolicy.ProxyProtocol!.Version);
        Assert.Equal(ProxyProtocolVersion.V2, harness.Runtime.GetClusters().Single().Definition.Wire.ProxyProtocol);
    }
}
