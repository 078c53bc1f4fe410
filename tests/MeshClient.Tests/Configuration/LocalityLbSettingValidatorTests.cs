using MeshClient.Configuration;

namespace MeshClient.Tests.Configuration;

/// <summary>Istio's <c>ValidateLocalityLbSetting</c> rules, with Istio's messages behind the service and field path.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class LocalityLbSettingValidatorTests
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.loadBalancer.localityLbSetting";

    private static List<MeshConfigurationDiagnostic> Validate(Action<LocalityLoadBalancerOptions> configure, bool outlierDetection = true, string? clientLocality = null)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.TrafficPolicy.OutlierDetection = outlierDetection ? new OutlierDetectionOptions() : null;
        var locality = new LocalityLoadBalancerOptions();
        configure(locality);
        service.TrafficPolicy.LoadBalancer.LocalityLbSetting = locality;
        var options = new MeshOptions { Locality = clientLocality };
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Errors(List<MeshConfigurationDiagnostic> findings) => [.. findings.Where(f => f.IsError).Select(f => f.Message)];

    private static LocalityDistributeOptions Distribute(string from, params (string To, int Weight)[] to)
    {
        var entry = new LocalityDistributeOptions { From = from };
        foreach (var (locality, weight) in to)
        {
            entry.To[locality] = weight;
        }

        return entry;
    }

    [Fact]
    public void Validate_DistributeAndFailover_MutuallyExclusive()
    {
        var findings = Validate(l =>
        {
            l.Distribute.Add(Distribute("us-west/*", ("us-west/*", 100)));
            l.Failover.Add(new LocalityFailoverOptions { From = "us-west", To = "us-east" });
        });

        Assert.Equal([Prefix + " can not simultaneously specify 'distribute' and 'failover'."], Errors(findings));
    }

    [Fact]
    public void Validate_WeightsNotSummingTo100_Error()
    {
        var findings = Validate(l => l.Distribute.Add(Distribute("us-west/*", ("us-west/zone1/*", 70), ("us-east/*", 20))));

        Assert.Equal([Prefix + ".distribute[0].to total locality weight 90 != 100."], Errors(findings));
    }

    [Fact]
    public void Validate_WeightOutOfRange_Error()
    {
        var findings = Validate(l => l.Distribute.Add(Distribute("us-west/*", ("us-west/*", 0), ("us-east/*", 100))));

        Assert.Equal([Prefix + ".distribute[0].to locality weight must be in range [1, 100] (was 0 for 'us-west/*')."], Errors(findings));
    }

    [Fact]
    public void Validate_BadLocalities_IstiosMessages()
    {
        var findings = Validate(l =>
        {
            l.Distribute.Add(Distribute("us-west/*/a", ("us-west/*", 100)));
            l.Distribute.Add(Distribute("us-east", ("us-east/zone1/*", 50), ("us-east/zone1/a", 50)));
            l.Distribute.Add(Distribute("eu//a", ("eu/*", 100)));
        });

        Assert.Equal(
            [
                Prefix + ".distribute[1].to locality us-east/zone1/a overlap with previous specified ones.",
                Prefix + ".distribute locality us-west/*/a wildcard '*' number can not exceed 1 and must be in the end.",
            ],
            Errors(findings));
    }

    [Fact]
    public void Validate_EmptyLocalityPart_Error()
    {
        var findings = Validate(l => l.Distribute.Add(Distribute("eu//a", ("eu/*", 100))));

        Assert.Equal([Prefix + ".distribute locality eu//a must not contain empty region/zone/subzone info."], Errors(findings));
    }

    [Fact]
    public void Validate_FailoverRules_IstiosMessages()
    {
        var findings = Validate(l =>
        {
            l.Failover.Add(new LocalityFailoverOptions { From = "us-west", To = "us-west" });
            l.Failover.Add(new LocalityFailoverOptions { From = "us-west/zone1", To = "us-east" });
            l.Failover.Add(new LocalityFailoverOptions { From = "us-west", To = "us-*" });
        });

        Assert.Equal(
            [
                Prefix + ".failover[0] locality lb failover settings must specify different regions.",
                Prefix + ".failover[1] locality lb failover only specify region.",
                Prefix + ".failover[2] locality lb failover region should not contain '*' wildcard.",
            ],
            Errors(findings));
    }

    [Fact]
    public void Validate_FailoverWithTopologyLabelInFailoverPriority_Error()
    {
        var findings = Validate(l =>
        {
            l.Failover.Add(new LocalityFailoverOptions { From = "us-west", To = "us-east" });
            l.FailoverPriority.Add("topology.kubernetes.io/region");
        });

        Assert.Equal([Prefix + ".failoverPriority can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/region' in 'failover_priority'."], Errors(findings));
    }

    [Fact]
    public void Validate_FailoverWithoutOutlierDetection_WarnsThatNothingFailsOver()
    {
        var findings = Validate(l => l.Failover.Add(new LocalityFailoverOptions { From = "us-west", To = "us-east" }), outlierDetection: false);

        Assert.Empty(Errors(findings));
        var warning = Assert.Single(findings, f => !f.IsError);
        Assert.StartsWith(Prefix + " outlier detection policy must be provided for failover: without trafficPolicy.outlierDetection", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Validate_SubsetFailover_InheritsTheServicesOutlierDetection(bool serviceOutlierDetection, bool warned)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1") { Labels = { ["version"] = "v1" } });
        service.TrafficPolicy.OutlierDetection = serviceOutlierDetection ? new OutlierDetectionOptions() : null;
        var subset = new SubsetOptions { Name = "v1", Labels = { ["version"] = "v1" }, TrafficPolicy = new TrafficPolicyOptions() };
        subset.TrafficPolicy.LoadBalancer.LocalityLbSetting = new LocalityLoadBalancerOptions { Failover = { new LocalityFailoverOptions { From = "us-west", To = "us-east" } } };
        service.Subsets.Add(subset);
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var findings = MeshOptionsValidator.Validate(options);

        Assert.Equal(warned, findings.Any(f => f.Message.Contains("subsets[0].trafficPolicy.loadBalancer.localityLbSetting outlier detection policy must be provided", StringComparison.Ordinal)));
    }

    [Fact]
    public void Validate_ValidSettings_NoFinding()
    {
        // (outlier detection's own small-pool warning aside)
        Assert.DoesNotContain(Validate(l => l.Distribute.Add(Distribute("us-west/zone1/*", ("us-west/zone1/*", 80), ("us-west/zone2/*", 20))), clientLocality: "us-west/zone1/a"), f => f.Message.Contains("locality", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Validate(l => l.Failover.Add(new LocalityFailoverOptions { From = "us-west", To = "us-east" })), f => f.Message.Contains("locality", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("us-west//a", "locality 'us-west//a' must not contain empty region/zone/subzone info.")]
    [InlineData("us-west/*", "locality 'us-west/*' must not contain '*' (it is the client's own region/zone/subzone).")]
    public void Validate_BadClientLocality_Error(string locality, string message)
    {
        var options = new MeshOptions { Locality = locality };

        Assert.Equal([message], Errors(MeshOptionsValidator.Validate(options)));
    }
}
