using MeshClient.Configuration;

namespace MeshClient.Tests.Configuration;

[Trait("Area", "LoadBalancing")]
public sealed class LoadBalancerOptionsValidatorTests
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.loadBalancer.";

    private static ExternalServiceOptions Service(Action<LoadBalancerOptions> configure, ServiceResolution resolution = ServiceResolution.Static)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Resolution = resolution };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        if (resolution == ServiceResolution.Static)
        {
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        }

        configure(service.TrafficPolicy.LoadBalancer);
        return service;
    }

    private static List<MeshConfigurationDiagnostic> Validate(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Messages(ExternalServiceOptions service, MeshDiagnosticSeverity severity) =>
        Validate(service).Where(d => d.Severity == severity).Select(d => d.Message).ToArray();

    [Theory]
    [InlineData(LoadBalancerAlgorithm.Unspecified)]
    [InlineData(LoadBalancerAlgorithm.RoundRobin)]
    [InlineData(LoadBalancerAlgorithm.LeastRequest)]
    [InlineData(LoadBalancerAlgorithm.Random)]
    [InlineData(LoadBalancerAlgorithm.PeakEwma)]
    public void Validate_SimpleAlgorithm_Valid(LoadBalancerAlgorithm algorithm) =>
        Assert.Empty(Validate(Service(lb => lb.Simple = algorithm)));

    [Fact]
    public void Validate_PassthroughWithResolutionNone_Valid() =>
        Assert.Empty(Messages(Service(lb => lb.Simple = LoadBalancerAlgorithm.Passthrough, ServiceResolution.None), MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_PassthroughWithEndpoints_Error() =>
        Assert.Equal(
            [Prefix + "simple PASSTHROUGH applies only to resolution NONE (resolution is STATIC); use LEAST_REQUEST, ROUND_ROBIN, RANDOM or consistentHash."],
            Messages(Service(lb => lb.Simple = LoadBalancerAlgorithm.Passthrough), MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_UnknownAlgorithm_Error() =>
        Assert.Equal(
            [Prefix + "simple has an unknown value '42'."],
            Messages(Service(lb => lb.Simple = (LoadBalancerAlgorithm)42), MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_LeastRequestOutOfRange_ErrorsNameTheFields() =>
        Assert.Equal(
            [
                Prefix + "leastRequest.choiceCount must be between 2 and 100 (was 1).",
                Prefix + "leastRequest.activeRequestBias must be between 0 and 10 (was -0.5).",
            ],
            Messages(Service(lb => lb.LeastRequest = new LeastRequestOptions { ChoiceCount = 1, ActiveRequestBias = -0.5 }), MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_PeakEwmaOutOfRange_ErrorsNameTheFields() =>
        Assert.Equal(
            [
                Prefix + "peakEwma.decay must be between 0.001s and 3600s (was '0s').",
                Prefix + "peakEwma.defaultRtt must be between 0.001s and 60s (was '120s').",
            ],
            Messages(Service(lb => lb.PeakEwma = new PeakEwmaOptions { Decay = TimeSpan.Zero, DefaultRtt = TimeSpan.FromMinutes(2) }), MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_ConsistentHashByHeader_Valid() =>
        Assert.Empty(Validate(Service(lb => lb.ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user", Maglev = new MaglevOptions() })));

    [Fact]
    public void Validate_ConsistentHashWithSimple_Error() =>
        Assert.Equal(
            [Prefix + "simple ROUND_ROBIN cannot be set with consistentHash (Istio's loadBalancer is one or the other)."],
            Messages(
                Service(lb =>
                {
                    lb.Simple = LoadBalancerAlgorithm.RoundRobin;
                    lb.ConsistentHash = new ConsistentHashOptions { HttpHeaderName = "x-user" };
                }),
                MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_ConsistentHashKeysAndTables_ErrorsNameTheFields() =>
        Assert.Equal(
            [
                Prefix + "consistentHash needs exactly one of httpHeaderName, httpCookie, httpQueryParameterName or useSourceIp (has 2).",
                Prefix + "consistentHash.httpCookie.name is required.",
                Prefix + "consistentHash sets both ringHash and maglev; choose one.",
                Prefix + "consistentHash.ringHash.minimumRingSize must be between 1 and 8388608 (was 0).",
                Prefix + "consistentHash.maglev.tableSize must be a prime number below 5000011 (was 65536).",
            ],
            Messages(
                Service(lb => lb.ConsistentHash = new ConsistentHashOptions
                {
                    HttpHeaderName = "x-user",
                    HttpCookie = new HttpCookieOptions(),
                    RingHash = new RingHashOptions { MinimumRingSize = 0 },
                    Maglev = new MaglevOptions { TableSize = 65536 },
                }),
                MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_UseSourceIp_WarnsRandomPicks() =>
        Assert.Equal(
            [
                Prefix + "consistentHash.useSourceIp is not applicable in process (every request of the application has the same source); requests are balanced at random.",
            ],
            Messages(Service(lb => lb.ConsistentHash = new ConsistentHashOptions { UseSourceIp = true }), MeshDiagnosticSeverity.Warning));

    [Fact]
    public void Validate_CookieTtl_NoFinding_TheCookieIsGenerated() =>
        Assert.Empty(Messages(Service(lb => lb.ConsistentHash = new ConsistentHashOptions { HttpCookie = new HttpCookieOptions { Name = "session", Path = "/", Ttl = TimeSpan.FromHours(1) } }), MeshDiagnosticSeverity.Warning));

    [Fact]
    public void Validate_NegativeCookieTtl_Error() =>
        Assert.Equal(
            [Prefix + "consistentHash.httpCookie.ttl must not be negative (was '-00:00:01')."],
            Messages(Service(lb => lb.ConsistentHash = new ConsistentHashOptions { HttpCookie = new HttpCookieOptions { Name = "session", Ttl = TimeSpan.FromSeconds(-1) } }), MeshDiagnosticSeverity.Error));

    [Fact]
    public void Validate_CookieAttributes_EveryBadOneNamedAtItsIndex() =>
        Assert.Equal(
            [
                Prefix + "consistentHash.httpCookie.attributes[1].name is required.",
                Prefix + "consistentHash.httpCookie.attributes[2].name must be a token, without spaces, ';', '=' or control characters (was 'Same Site').",
                Prefix + "consistentHash.httpCookie.attributes[3].value must not contain ';' or control characters (was 'Lax; Secure').",
            ],
            Messages(
                Service(lb =>
                {
                    var cookie = new HttpCookieOptions { Name = "session", Ttl = TimeSpan.FromHours(1) };
                    cookie.Attributes.Add(new HttpCookieAttributeOptions("Secure"));
                    cookie.Attributes.Add(new HttpCookieAttributeOptions());
                    cookie.Attributes.Add(new HttpCookieAttributeOptions("Same Site", "Lax"));
                    cookie.Attributes.Add(new HttpCookieAttributeOptions("SameSite", "Lax; Secure"));
                    lb.ConsistentHash = new ConsistentHashOptions { HttpCookie = cookie };
                }),
                MeshDiagnosticSeverity.Error));

    [Theory]
    [InlineData(2, true)]
    [InlineData(65537, true)]
    [InlineData(4999999, true)]
    [InlineData(1, false)]
    [InlineData(65535, false)]
    public void IsPrime(int value, bool prime) => Assert.Equal(prime, LoadBalancerOptionsValidator.IsPrime(value));
}
