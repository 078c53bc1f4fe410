using MeshClient.Configuration;

namespace MeshClient.Tests.Telemetry;

[Trait("Area", "Telemetry")]
public sealed class MeshTelemetryOptionsValidatorTests
{
    [Fact]
    public void Defaults_NoFinding()
    {
        var options = new MeshOptions();

        Assert.Empty(MeshConfigurationValidator.Validate(options));
    }

    [Fact]
    public void InvalidValues_EveryErrorCollected_WithFieldPaths()
    {
        var options = new MeshOptions();
        options.Telemetry.SourceWorkload = " ";
        options.Telemetry.SourceWorkloadNamespace = "shop\nprod";
        options.Telemetry.Propagation = (TracePropagation)8;
        options.ExternalServices.Add(new ExternalServiceOptions
        {
            Hosts = { "api.example.com" },
            Ports = { new ServicePortOptions(443, "https", ServiceProtocol.Https) },
            Resolution = ServiceResolution.Dns,
            TracePropagation = TracePropagation.W3C | (TracePropagation)16,
        });

        var errors = MeshConfigurationValidator.Validate(options).Where(d => d.IsError).ToArray();

        Assert.Equal(
            [
                ("telemetry.sourceWorkload", "telemetry.sourceWorkload must not be empty or blank: leave it unset for 'unknown'."),
                ("telemetry.sourceWorkloadNamespace", "telemetry.sourceWorkloadNamespace 'shop\nprod' must not contain control characters."),
                ("telemetry.propagation", "telemetry.propagation must be None or a combination of W3C, B3Multi and B3Single (was '8')."),
            ],
            errors.Where(e => e.Service is null).Select(e => (e.FieldPath, e.Message)));
        var service = Assert.Single(errors, e => e.Service is not null);
        Assert.Equal("tracePropagation", service.FieldPath);
        Assert.Equal("External service 'api.example.com': tracePropagation must be None or a combination of W3C, B3Multi and B3Single (was '17').", service.Message);
    }

    [Fact]
    public void LongWorkload_Error()
    {
        var options = new MeshOptions();
        options.Telemetry.SourceWorkload = new string('a', 254);

        var error = Assert.Single(MeshConfigurationValidator.Validate(options));

        Assert.Equal("telemetry.sourceWorkload must be at most 253 characters (was 254).", error.Message);
    }

    [Fact]
    public void ValidCombinations_NoFinding()
    {
        var options = new MeshOptions();
        options.Telemetry.SourceWorkload = "checkout";
        options.Telemetry.Propagation = TracePropagation.W3C | TracePropagation.B3Multi | TracePropagation.B3Single;

        Assert.Empty(MeshConfigurationValidator.Validate(options));
    }
}
