using MeshClient.Configuration;

namespace MeshClient.Tests.Health;

[Trait("Area", "OutlierDetection")]
public sealed class OutlierDetectionValidationTests
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.outlierDetection";

    private static List<MeshConfigurationDiagnostic> Validate(Action<OutlierDetectionOptions> configure, int endpoints = 10)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        for (var i = 1; i <= endpoints; i++)
        {
            service.Endpoints.Add(new ServiceEndpointOptions($"10.0.0.{i}"));
        }

        service.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions();
        configure(service.TrafficPolicy.OutlierDetection);
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Errors(List<MeshConfigurationDiagnostic> diagnostics) =>
        diagnostics.Where(d => d.IsError).Select(d => d.Message).ToArray();

    private static string[] Warnings(List<MeshConfigurationDiagnostic> diagnostics) =>
        diagnostics.Where(d => !d.IsError).Select(d => d.Message).ToArray();

    [Fact]
    public void Validate_Defaults_NoFindingsWithTenEndpoints()
    {
        Assert.Empty(Validate(static _ => { }));
    }

    [Fact]
    public void Validate_BadDurations_NameEachField()
    {
        var findings = Validate(static o =>
        {
            o.BaseEjectionTime = TimeSpan.FromSeconds(-1);
            o.Interval = TimeSpan.Zero;
            o.MaxEjectionTime = TimeSpan.FromTicks(15_000);
        });

        Assert.Equal(
            [
                Prefix + ".interval duration must be greater than 1ms (was '0s').",
                Prefix + ".baseEjectionTime duration must be greater than 1ms (was '-1s').",
                Prefix + ".maxEjectionTime only durations to ms precision are supported (was '0.0015s').",
            ],
            Errors(findings));
        Assert.Equal("trafficPolicy.outlierDetection.baseEjectionTime", findings.First(f => f.IsError && f.Message.Contains("baseEjectionTime")).FieldPath);
    }

    [Fact]
    public void Validate_MaxEjectionTimeBelowBase_Error()
    {
        Assert.Equal(
            [Prefix + ".maxEjectionTime must not be less than baseEjectionTime (was '10s' < '30s')."],
            Errors(Validate(static o => o.MaxEjectionTime = TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public void Validate_PercentsAndCountsOutOfRange_Errors()
    {
        var findings = Validate(static o =>
        {
            o.Consecutive5xxErrors = -1;
            o.ConsecutiveGatewayErrors = -2;
            o.MaxEjectionPercent = 101;
            o.MinHealthPercent = -1;
            o.HttpErrorCodes.Add(99);
            o.HttpErrorCodes.Add(503);
            o.HttpErrorCodes.Add(600);
        });

        Assert.Equal(
            [
                Prefix + ".consecutive5xxErrors must not be negative (was '-1').",
                Prefix + ".consecutiveGatewayErrors must not be negative (was '-2').",
                Prefix + ".maxEjectionPercent percentage 101 is not in range 0..100.",
                Prefix + ".minHealthPercent percentage -1 is not in range 0..100.",
                Prefix + ".outlierDetectionHttpErrorCodes[0] must be between 100 and 599 (was '99').",
                Prefix + ".outlierDetectionHttpErrorCodes[2] must be between 100 and 599 (was '600').",
            ],
            Errors(findings));
    }

    [Fact]
    public void Validate_LocalOriginFailuresWithoutSplit_Error()
    {
        Assert.Equal(
            [Prefix + ".consecutiveLocalOriginFailures is set, but splitExternalLocalOriginErrors is false: local-origin failures are counted apart only in split mode."],
            Errors(Validate(static o => o.ConsecutiveLocalOriginFailures = 3)));
        Assert.Empty(Validate(static o =>
        {
            o.ConsecutiveLocalOriginFailures = 3;
            o.SplitExternalLocalOriginErrors = true;
        }));
    }

    [Theory]
    [InlineData(2, 10, "10 ejects no endpoint of 2: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least 50; raise it or set AlwaysEjectOneHost.")]
    [InlineData(4, 10, "10 ejects no endpoint of 4: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least 25; raise it or set AlwaysEjectOneHost.")]
    [InlineData(3, 33, "33 ejects no endpoint of 3: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least 34; raise it or set AlwaysEjectOneHost.")]
    [InlineData(20, 0, "0 ejects no endpoint of 20: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least 5; raise it or set AlwaysEjectOneHost.")]
    public void Validate_SmallPool_WarnsThatNothingIsEjected(int endpoints, int maxEjectionPercent, string rest)
    {
        var findings = Validate(o => o.MaxEjectionPercent = maxEjectionPercent, endpoints);

        Assert.Empty(Errors(findings));
        Assert.Equal([Prefix + ".maxEjectionPercent " + rest], Warnings(findings));
    }

    [Theory]
    [InlineData(4, 25, false)]
    [InlineData(4, 10, true)]
    [InlineData(10, 10, false)]
    public void Validate_PoolLargeEnoughOrAlwaysEjectOne_NoWarning(int endpoints, int maxEjectionPercent, bool alwaysEjectOneHost)
    {
        Assert.Empty(Validate(
            o =>
            {
                o.MaxEjectionPercent = maxEjectionPercent;
                o.AlwaysEjectOneHost = alwaysEjectOneHost;
            },
            endpoints));
    }

    [Fact]
    public void Validate_EveryRuleOff_WarnsThatNothingIsEjected()
    {
        Assert.Equal(
            [Prefix + " ejects nothing: consecutive5xxErrors and consecutiveGatewayErrors are 0 (and no local-origin rule is on)."],
            Warnings(Validate(static o => o.Consecutive5xxErrors = 0)));
    }
}
