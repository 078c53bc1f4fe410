using MeshClient.Configuration;

namespace MeshClient.Tests.Discovery;

/// <summary>Istio's rules about the DNS resolutions (ISTIO-SEMANTICS.md §1.3) and the DNS settings, with exact messages.</summary>
[Trait("Area", "Discovery")]
public sealed class DnsValidationTests
{
    [Theory]
    [InlineData(ServiceResolution.Dns)]
    [InlineData(ServiceResolution.DnsRoundRobin)]
    public void DnsWithoutEndpoints_PlainHost_Accepted(ServiceResolution resolution)
    {
        var service = Service("api.example.com", resolution);

        Assert.Empty(Validate(service));
    }

    [Theory]
    [InlineData(ServiceResolution.Dns, "DNS")]
    [InlineData(ServiceResolution.DnsRoundRobin, "DNS_ROUND_ROBIN")]
    public void DnsWithoutEndpoints_WildcardHost_Rejected(ServiceResolution resolution, string name)
    {
        var service = Service("*.example.com", resolution);

        Assert.Equal(
            [$"External service '*.example.com': hosts[0] '*.example.com': hosts must be FQDN if no endpoints are provided for resolution mode {name} (a wildcard names no host to resolve; list endpoints, or use DYNAMIC_DNS)."],
            Errors(Validate(service)));
    }

    [Fact]
    public void DnsWithEndpoints_WildcardHost_Accepted_EndpointsMayBeNamesOrAddresses()
    {
        var service = Service("*.example.com", ServiceResolution.Dns);
        service.Endpoints.Add(new ServiceEndpointOptions("lb.example.com"));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.Endpoints.Add(new ServiceEndpointOptions("2001:db8::1"));

        Assert.Empty(Validate(service));
    }

    [Fact]
    public void DnsEndpoint_NeitherNameNorAddress_Rejected()
    {
        var service = Service("api.example.com", ServiceResolution.Dns);
        service.Endpoints.Add(new ServiceEndpointOptions("bad_name!.example.com"));
        service.Endpoints.Add(new ServiceEndpointOptions("unix:///var/run/x.sock"));

        Assert.Equal(
            [
                "External service 'api.example.com': endpoints[0].address endpoint address 'bad_name!.example.com' is not a valid FQDN or an IP address.",
                "External service 'api.example.com': endpoints[1].address endpoint address 'unix:///var/run/x.sock' is not a valid FQDN or an IP address.",
            ],
            Errors(Validate(service)));
    }

    [Fact]
    public void DnsRoundRobin_TwoEndpoints_Rejected()
    {
        var service = Service("api.example.com", ServiceResolution.DnsRoundRobin);
        service.Endpoints.Add(new ServiceEndpointOptions("a.example.com"));
        service.Endpoints.Add(new ServiceEndpointOptions("b.example.com"));

        Assert.Equal(
            ["External service 'api.example.com': endpoints: DNS_ROUND_ROBIN mode cannot have multiple endpoints (has 2)."],
            Errors(Validate(service)));
    }

    [Fact]
    public void Dns_CidrAddress_Rejected()
    {
        var service = Service("api.example.com", ServiceResolution.Dns);
        service.Addresses.Add("10.0.0.0/8");

        Assert.Equal(
            ["External service 'api.example.com': addresses[0] '10.0.0.0/8': CIDR addresses are allowed only for NONE/STATIC resolution types (resolution is DNS)."],
            Errors(Validate(service)));
    }

    [Fact]
    public void DynamicDns_WildcardHostAndHttpPort_Accepted()
    {
        Assert.Empty(Validate(Service("*.svc.example.com", ServiceResolution.DynamicDns)));
    }

    [Fact]
    public void DynamicDns_EveryRule_EachReported()
    {
        var service = Service("api.example.com", ServiceResolution.DynamicDns);
        service.Hosts.Add("*.example.com");
        service.Addresses.Add("10.0.0.1");
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2"));
        service.Ports.Add(new ServicePortOptions(5432, "pg", ServiceProtocol.Tcp));

        Assert.Equal(
            [
                "External service 'api.example.com': ports[1] multiple hosts provided with non-HTTP, non-TLS ports (protocol 'TCP').",
                "External service 'api.example.com': endpoints: DYNAMIC_DNS mode cannot set endpoints (the requested host is resolved).",
                "External service 'api.example.com': addresses: DYNAMIC_DNS mode cannot set addresses.",
                "External service 'api.example.com': hosts[0] 'api.example.com': DYNAMIC_DNS mode requires wildcard hosts (for example '*.api.example.com'); use DNS for a single host.",
                "External service 'api.example.com': ports[1].protocol DYNAMIC_DNS mode supports only HTTP, HTTPS, TLS, GRPC and HTTP2 ports (protocol 'TCP').",
            ],
            Errors(Validate(service)));
    }

    [Fact]
    public void DnsSettings_EveryRule_EachReported()
    {
        var options = new MeshOptions();
        options.Dns.NameServers.Add("127.0.0.1:5353");
        options.Dns.NameServers.Add("[::1]:53");
        options.Dns.NameServers.Add("10.0.0.2");
        options.Dns.NameServers.Add("dns.example.com");
        options.Dns.RefreshRate = TimeSpan.FromSeconds(2);
        options.Dns.MinRefreshInterval = TimeSpan.FromSeconds(3);
        options.Dns.MaxRefreshInterval = TimeSpan.FromSeconds(1);
        options.Dns.QueryTimeout = TimeSpan.Zero;
        options.Dns.Jitter = TimeSpan.FromSeconds(-1);
        options.Dns.MaxDynamicHosts = 0;

        Assert.Equal(
            [
                "dns.nameServers[3] 'dns.example.com' is not a name server: write an IP address with an optional port, such as '10.0.0.2', '127.0.0.1:5353' or '[::1]:53'.",
                "dns.queryTimeout duration must be greater than 1ms (was '0s').",
                "dns.maxRefreshInterval (1s) must not be less than dns.minRefreshInterval (3s).",
                "dns.minRefreshInterval (3s) must not be more than dns.refreshRate (2s).",
                "dns.jitter must not be negative (was '-1s').",
                "dns.maxDynamicHosts must be at least 1 (was '0').",
            ],
            Errors(MeshOptionsValidator.Validate(options)));
    }

    private static ExternalServiceOptions Service(string host, ServiceResolution resolution)
    {
        var service = new ExternalServiceOptions { Name = host, Resolution = resolution };
        service.Hosts.Add(host);
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        return service;
    }

    private static List<MeshConfigurationDiagnostic> Validate(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Errors(List<MeshConfigurationDiagnostic> diagnostics) =>
        [.. diagnostics.Where(d => d.IsError).Select(d => d.Message)];
}
