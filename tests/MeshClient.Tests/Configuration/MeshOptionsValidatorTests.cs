using MeshClient.Configuration;

namespace MeshClient.Tests.Configuration;

[Trait("Area", "Api")]
public sealed class MeshOptionsValidatorTests
{
    private static ExternalServiceOptions Service(string host = "api.example.com")
    {
        var service = new ExternalServiceOptions { Name = host };
        service.Hosts.Add(host);
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        return service;
    }

    private static List<MeshConfigurationDiagnostic> Validate(params ExternalServiceOptions[] services)
    {
        var options = new MeshOptions();
        foreach (var s in services)
        {
            options.ExternalServices.Add(s);
        }

        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Errors(List<MeshConfigurationDiagnostic> diagnostics) =>
        diagnostics.Where(d => d.IsError).Select(d => d.Message).ToArray();

    private static string[] Warnings(List<MeshConfigurationDiagnostic> diagnostics) =>
        diagnostics.Where(d => !d.IsError).Select(d => d.Message).ToArray();

    [Fact]
    public void Validate_ValidStaticService_NoFindings()
    {
        var service = Service();
        service.Resolution = ServiceResolution.Static;
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.Endpoints.Add(new ServiceEndpointOptions("2001:db8::1", 3) { Ports = { ["https"] = 8443 } });

        Assert.Empty(Validate(service));
    }

    [Fact]
    public void Validate_NoHosts_NamesServiceAndField()
    {
        var service = new ExternalServiceOptions { Name = "payments" };

        Assert.Equal(
            ["External service 'payments': hosts: Required value: at least one host is required."],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_StarHost_Rejected()
    {
        var service = Service("*");

        Assert.Equal(
            ["External service '*': hosts[0] hostname cannot be wildcard '*' (declare the domains the service answers for)."],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_InvalidDomain_Rejected()
    {
        var service = Service("api..example.com");

        Assert.Equal(
            ["External service 'api..example.com': hosts[0] 'api..example.com' is not a valid domain name: each label must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit."],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_PartialWildcard_Warns()
    {
        var service = Service("*x.example.com");

        var diagnostics = Validate(service);

        Assert.Empty(Errors(diagnostics));
        Assert.Equal(
            ["External service '*x.example.com': hosts[0] '*x.example.com' is a partial wildcard; only a full first label '*.' is a proper wildcard (it matches any host ending in 'x.example.com')."],
            Warnings(diagnostics));
    }

    [Fact]
    public void Validate_BadPorts_CollectsEveryError()
    {
        var service = new ExternalServiceOptions { Name = "api" };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(0, "a"));
        service.Ports.Add(new ServicePortOptions(80, "a"));
        service.Ports.Add(new ServicePortOptions(80, "Bad_Name") { TargetPort = 70000 });
        service.Ports.Add(new ServicePortOptions { Number = 81 });

        Assert.Equal(
            [
                "External service 'api': ports[0].number port must be between 1-65535 (was '0').",
                "External service 'api': ports[1].name: Duplicate value: 'a' is also the name of ports[0].",
                "External service 'api': ports[2].number port number cannot be duplicated: 80 is also ports[1].",
                "External service 'api': ports[2].targetPort port must be between 1-65535 (was '70000').",
                "External service 'api': ports[2].name invalid port name 'Bad_Name': it must be a DNS-1123 label (lowercase letters, digits and '-').",
                "External service 'api': ports[3].name: Required value: every port needs a name.",
            ],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_NoneWithEndpoints_ExplainsStatic()
    {
        var service = Service();
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));

        Assert.Equal(
            ["External service 'api.example.com': endpoints: NONE mode cannot set endpoints; set resolution to STATIC to load-balance across them."],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_StaticWithHostname_Rejected()
    {
        var service = Service();
        service.Resolution = ServiceResolution.Static;
        service.Endpoints.Add(new ServiceEndpointOptions("backend.example.com"));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2", -1) { Ports = { ["grpc"] = 0 } });

        Assert.Equal(
            [
                "External service 'api.example.com': endpoints[0].address endpoint address 'backend.example.com' is not a valid IP address (resolution STATIC needs IP addresses).",
                "External service 'api.example.com': endpoints[1].weight must not be negative (was '-1').",
                "External service 'api.example.com': endpoints[1].ports['grpc'] endpoint port grpc is not defined by the service entry (declared ports: https).",
                "External service 'api.example.com': endpoints[1].ports['grpc'] port must be between 1-65535 (was '0').",
            ],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_StaticWithoutEndpoints_WarnsNoHealthyUpstream()
    {
        var service = Service();
        service.Resolution = ServiceResolution.Static;

        Assert.Equal(
            ["External service 'api.example.com': resolution STATIC with no endpoints: every request will fail with 503 no healthy upstream (UH)."],
            Warnings(Validate(service)));
    }

    [Fact]
    public void Validate_CidrWithDns_Rejected()
    {
        var service = Service();
        service.Resolution = ServiceResolution.DnsRoundRobin;
        service.Addresses.Add("1.2.3.4/16");
        service.Endpoints.Add(new ServiceEndpointOptions("a.example.com"));
        service.Endpoints.Add(new ServiceEndpointOptions("b.example.com"));

        Assert.Equal(
            [
                "External service 'api.example.com': addresses[0] '1.2.3.4/16': CIDR addresses are allowed only for NONE/STATIC resolution types (resolution is DNS_ROUND_ROBIN).",
                "External service 'api.example.com': endpoints: DNS_ROUND_ROBIN mode cannot have multiple endpoints (has 2).",
            ],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_MultipleHostsWithTcpPort_Rejected()
    {
        var service = Service();
        service.Hosts.Add("api2.example.com");
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(5432, "pg", ServiceProtocol.Tcp));

        var errors = Errors(Validate(service));

        Assert.Equal(["External service 'api.example.com': ports[1] multiple hosts provided with non-HTTP, non-TLS ports (protocol 'TCP')."], errors);
    }

    [Fact]
    public void Validate_ExportToMixed_Rejected()
    {
        var service = Service();
        service.ExportTo.Add("*");
        service.ExportTo.Add("team-a");

        Assert.Equal(["External service 'api.example.com': exportTo: '*' and '~' cannot be combined with other values."], Errors(Validate(service)));
    }

    [Fact]
    public void Validate_DuplicateHostPort_WarnsFirstWins()
    {
        var first = Service();
        var second = Service();
        second.Name = "api-copy";

        Assert.Equal(
            ["External service 'api-copy': host 'api.example.com' port 443 is already declared by external service 'api.example.com'; the first declaration wins, as in Istio."],
            Warnings(Validate(first, second)));
    }

    [Fact]
    public void Validate_DuplicatePortInOneService_OnlyTheError()
    {
        var service = Service();
        service.Ports.Add(new ServicePortOptions(443, "other"));

        var diagnostics = Validate(service);

        Assert.Equal(["External service 'api.example.com': ports[1].number port number cannot be duplicated: 443 is also ports[0]."], Errors(diagnostics));
        Assert.Empty(Warnings(diagnostics));
    }

    [Fact]
    public void Validate_SourceSet_PrefixesMessages()
    {
        var service = Service();
        service.Source = "mesh/se.yaml:3:1";
        service.Ports[0].Number = 99999;

        Assert.Equal(
            ["mesh/se.yaml:3:1: External service 'api.example.com': ports[0].number port must be between 1-65535 (was '99999')."],
            Errors(Validate(service)));
    }

    [Fact]
    public void Validate_Finding_CarriesStructuredParts()
    {
        var service = Service();
        service.Source = "mesh/se.yaml:3:1";
        service.Ports[0].Number = 0;
        service.Hosts.Add("*");

        var findings = Validate(service);

        Assert.Equal(
            [
                ("mesh/se.yaml:3:1", "api.example.com", "hosts[1]", "hosts[1] hostname cannot be wildcard '*' (declare the domains the service answers for)."),
                ("mesh/se.yaml:3:1", "api.example.com", "ports[0].number", "ports[0].number port must be between 1-65535 (was '0')."),
            ],
            findings.Select(f => (f.Source, f.Service, f.FieldPath, f.Detail)).ToArray());
    }

    [Fact]
    public void Validate_NoPorts_Warns()
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");

        Assert.Equal(
            ["External service 'api.example.com': declares no ports, so no request can match it; add the port the application calls (for example 443 for https)."],
            Warnings(Validate(service)));
    }

    [Fact]
    public void Validate_SourceDiagnostics_Included()
    {
        var options = new MeshOptions();
        options.SourceDiagnostics.Add(MeshConfigurationDiagnostic.Error("mesh.yaml:1:1: bad YAML"));

        Assert.Equal(["mesh.yaml:1:1: bad YAML"], Errors(MeshOptionsValidator.Validate(options)));
    }

    [Fact]
    public void MeshConfigurationException_ListsEveryError()
    {
        var exception = new MeshConfigurationException(["first", "second"]);

        Assert.Equal(["first", "second"], exception.Errors);
        Assert.Equal($"The mesh configuration is invalid (2 errors):{Environment.NewLine}  first{Environment.NewLine}  second", exception.Message);
    }

    [Theory]
    [InlineData(0L, "route.timeout duration must be greater than 1ms (was '0s').")]
    [InlineData(-20_000_000L, "route.timeout duration must be greater than 1ms (was '-2s').")]
    [InlineData(5_000L, "route.timeout duration must be greater than 1ms (was '0.0005s').")]
    [InlineData(15_005_000L, "route.timeout only durations to ms precision are supported (was '1.5005s').")]
    public void Validate_RouteTimeout_IstioDurationRules(long ticks, string expected)
    {
        var service = Service();
        service.Route.Timeout = TimeSpan.FromTicks(ticks);

        var diagnostic = Assert.Single(Validate(service));

        Assert.True(diagnostic.IsError);
        Assert.Equal("External service 'api.example.com': " + expected, diagnostic.Message);
        Assert.Equal("route.timeout", diagnostic.FieldPath);
    }

    [Theory]
    [InlineData(10_000L)]
    [InlineData(15_000_000L)]
    public void Validate_RouteTimeout_WholeMillisecondsAccepted(long ticks)
    {
        var service = Service();
        service.Route.Timeout = TimeSpan.FromTicks(ticks);

        Assert.Empty(Validate(service));
    }

    [Fact]
    public void Validate_MaxAutomaticRedirectionsNotPositive_Error()
    {
        var options = new MeshOptions { MaxAutomaticRedirections = 0 };

        var diagnostic = Assert.Single(MeshOptionsValidator.Validate(options));

        Assert.True(diagnostic.IsError);
        Assert.Equal("maxAutomaticRedirections must be greater than 0 (was '0'); set allowAutoRedirect to false not to follow redirects.", diagnostic.Message);
    }

    [Theory]
    [InlineData(0L, "defaultTimeout duration must be greater than 1ms (was '0s').")]
    [InlineData(15_000L, "defaultTimeout only durations to ms precision are supported (was '0.0015s').")]
    public void Validate_DefaultTimeout_IstioDurationRules(long ticks, string expected)
    {
        var options = new MeshOptions { DefaultTimeout = TimeSpan.FromTicks(ticks) };

        Assert.Equal([expected], Errors(MeshOptionsValidator.Validate(options)));
    }

    [Fact]
    public void FeatureValidator_NamesTheFieldPathItIsGiven_WithoutParsingMessages()
    {
        var service = Service();
        var results = new List<MeshConfigurationDiagnostic>();

        RouteOptionsValidator.Validate(new RouteOptions { Timeout = TimeSpan.Zero }, "http[2]", new ServiceFindings(service, results));
        TrafficPolicyOptionsValidator.Validate(new TrafficPolicyOptions { LoadBalancer = { Simple = (LoadBalancerAlgorithm)99 } }, "subsets[0].trafficPolicy", new ServiceFindings(service, results));

        Assert.Equal(
            [
                ("http[2].timeout", "External service 'api.example.com': http[2].timeout duration must be greater than 1ms (was '0s')."),
                ("subsets[0].trafficPolicy.loadBalancer.simple", "External service 'api.example.com': subsets[0].trafficPolicy.loadBalancer.simple has an unknown value '99'."),
            ],
            results.Select(r => (r.FieldPath, r.Message)).ToArray());
    }
}
