using MeshClient.Configuration;

namespace MeshClient.Tests.Configuration;

/// <summary>Issue 20, defects 7 and 8: hostile values in the options.</summary>
[Trait("Area", "Reliability")]
public sealed class MeshOptionsValidatorInputTests
{
    private static ExternalServiceOptions Service(string host, string? name = "api")
    {
        var service = new ExternalServiceOptions { Name = name };
        service.Hosts.Add(host);
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        return service;
    }

    private static string[] Errors(params ExternalServiceOptions[] services)
    {
        var options = new MeshOptions();
        foreach (var service in services)
        {
            options.ExternalServices.Add(service);
        }

        return MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message).ToArray();
    }

    [Fact]
    public void Validate_HostWithKelvinSign_RejectedAsNotAscii()
    {
        // U+212A KELVIN SIGN lower-cases to ASCII 'k': without an ASCII check the host passed.
        var errors = Errors(Service("\u212Aelvin.example.com"));

        Assert.Equal(
            "External service 'api': hosts[0] domain name \"\u212Aelvin.example.com\" invalid (label \"\u212Aelvin\" invalid): host names must be ASCII; write an internationalized name in its punycode form (xn--...).",
            Assert.Single(errors));
    }

    [Theory]
    [InlineData("*.\u212Aelvin.com")]
    [InlineData("fo\u00F6*.example.com")]
    [InlineData("b\u00FCcher.example")]
    public void Validate_NonAsciiHostOfAnyShape_Rejected(string host)
    {
        Assert.Contains("host names must be ASCII", Assert.Single(Errors(Service(host))), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HugeInvalidHost_MessageShowsTheFirst100Characters()
    {
        var host = new string('-', 1_000_000);

        var error = Assert.Single(Errors(Service(host, name: null)));

        var shown = new string('-', 100) + "…";
        Assert.Equal(
            $"External service '{shown}': hosts[0] '{shown}' is not a valid domain name: each label must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit.",
            error);
    }

    [Fact]
    public void Validate_HugeInvalidAddressesAndPortName_Cut()
    {
        var service = Service("api.example.com");
        service.Addresses.Add(new string('x', 10_000));
        service.Ports[0].Name = new string('Y', 10_000);

        var errors = Errors(service);

        Assert.Equal(2, errors.Length);
        Assert.All(errors, static e => Assert.True(e.Length < 400, e));
    }

    [Fact]
    public void Validate_FieldTheSourceAlreadyReported_NotReportedTwice()
    {
        // The Istio loader reports an unreadable port number; the core must not add "(was '0')" for it.
        var service = Service("api.example.com");
        service.Source = "se.yaml:1:1";
        service.Ports[0].Number = 0;
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        options.SourceDiagnostics.Add(new MeshConfigurationDiagnostic(MeshDiagnosticSeverity.Error, "se.yaml:6:20: ServiceEntry api: spec.ports[0].number: Invalid value: 'eighty' is not an integer.")
        {
            Source = "se.yaml:1:1",
            FieldPath = "ports[0].number",
        });

        var errors = MeshOptionsValidator.Validate(options).Where(d => d.IsError).ToList();

        Assert.Equal("se.yaml:6:20: ServiceEntry api: spec.ports[0].number: Invalid value: 'eighty' is not an integer.", Assert.Single(errors).Message);
    }
}
