using MeshClient.Configuration;
using MeshClient.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MeshClient.Tests.Health.OutlierTestCluster;

namespace MeshClient.Tests.Health;

/// <summary>Envoy's success-rate and failure-percentage ejection, judged at each sweep on the interval that closed (ALGORITHMS.md §1.3, ISTIO-SEMANTICS.md §3.4).</summary>
[Trait("Area", "OutlierDetection")]
public sealed class StatisticalOutlierDetectionTests
{
    private static readonly TimeSpan Interval = OutlierDetectionDefaults.Interval;

    /// <summary>Reports <paramref name="successes"/> successes and <paramref name="failures"/> 500s on an endpoint, interleaved so that no consecutive rule could fire.</summary>
    private static void Traffic(OutlierTestCluster cluster, int index, int successes, int failures)
    {
        for (var i = 0; i < Math.Max(successes, failures); i++)
        {
            if (i < failures)
            {
                cluster.Report(index, ServerError);
            }

            if (i < successes)
            {
                cluster.Report(index, Ok);
            }
        }
    }

    private static OutlierTestCluster SuccessRateCluster(int endpoints, Action<SuccessRateEjectionOptions>? configure = null, int maxEjectionPercent = 100) =>
        new(endpoints, o =>
        {
            o.Consecutive5xxErrors = 0;
            o.MaxEjectionPercent = maxEjectionPercent;
            o.SuccessRate = new SuccessRateEjectionOptions();
            configure?.Invoke(o.SuccessRate);
        });

    [Fact]
    public void SuccessRate_EndpointBelowMeanMinusStdevFactor_EjectedAtTheSweep()
    {
        using var cluster = SuccessRateCluster(5);
        for (var i = 0; i < 4; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        // Rates 100, 100, 100, 100, 50: mean 90, stdev 20, threshold 90 - 1.9 x 20 = 52.
        Traffic(cluster, 4, 50, 50);
        Assert.False(cluster.IsEjected(4)); // judged at the sweep, not on the request path

        cluster.Advance(Interval);

        Assert.True(cluster.IsEjected(4));
        Assert.Equal(4, cluster.Available.Length);
        Assert.All(Enumerable.Range(0, 4), i => Assert.False(cluster.IsEjected(i)));
    }

    [Fact]
    public void SuccessRate_SpreadRates_TheLowestAboveTheThreshold_Stays()
    {
        using var cluster = SuccessRateCluster(5);

        // Rates 100, 90, 80, 70, 60: mean 80, stdev 14.1, threshold 80 - 1.9 x 14.1 = 53.1.
        for (var i = 0; i < 5; i++)
        {
            Traffic(cluster, i, 100 - (10 * i), 10 * i);
        }

        cluster.Advance(Interval);

        Assert.All(Enumerable.Range(0, 5), i => Assert.False(cluster.IsEjected(i)));
    }

    [Fact]
    public void SuccessRate_FewerHostsWithVolumeThanMinimumHosts_NothingEjected()
    {
        using var cluster = SuccessRateCluster(5);
        for (var i = 0; i < 3; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        Traffic(cluster, 3, 99, 0); // under request volume 100: does not count
        Traffic(cluster, 4, 0, 100);

        cluster.Advance(Interval);

        Assert.False(cluster.IsEjected(4)); // 4 hosts with volume < minimumHosts 5
    }

    [Fact]
    public void SuccessRate_CountsOnlyTheIntervalThatClosed()
    {
        using var cluster = SuccessRateCluster(5);
        for (var i = 0; i < 5; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        cluster.Advance(Interval); // all healthy: nothing ejected, the counts start again

        for (var i = 0; i < 4; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        Traffic(cluster, 4, 10, 90);
        cluster.Advance(Interval);
        Assert.True(cluster.IsEjected(4));
    }

    [Fact]
    public void SuccessRate_EnforcementZero_NeverEjects()
    {
        using var cluster = SuccessRateCluster(5, o => o.EnforcementPercentage = 0);
        for (var i = 0; i < 4; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        Traffic(cluster, 4, 0, 100);

        cluster.Advance(Interval);

        Assert.False(cluster.IsEjected(4));
    }

    [Fact]
    public void SuccessRate_MaxEjectionPercent_StillBounds()
    {
        using var cluster = SuccessRateCluster(10, maxEjectionPercent: 10);
        for (var i = 0; i < 8; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        Traffic(cluster, 8, 0, 100);
        Traffic(cluster, 9, 0, 100);

        cluster.Advance(Interval);

        Assert.Equal(1, Enumerable.Range(0, 10).Count(cluster.IsEjected)); // 100 x 2 / 10 > 10
    }

    [Fact]
    public void SuccessRate_Ejected_ReturnsAfterTheEjectionTime()
    {
        using var cluster = SuccessRateCluster(5);
        for (var i = 0; i < 4; i++)
        {
            Traffic(cluster, i, 100, 0);
        }

        Traffic(cluster, 4, 0, 100);
        cluster.Advance(Interval);
        Assert.True(cluster.IsEjected(4));

        cluster.Advance(OutlierDetectionDefaults.BaseEjectionTime);

        Assert.False(cluster.IsEjected(4));
    }

    private static OutlierTestCluster FailurePercentageCluster(int endpoints, Action<FailurePercentageEjectionOptions>? configure = null) =>
        new(endpoints, o =>
        {
            o.Consecutive5xxErrors = 0;
            o.FailurePercentage = new FailurePercentageEjectionOptions();
            configure?.Invoke(o.FailurePercentage);
        });

    [Theory]
    [InlineData(90, true)]
    [InlineData(85, true)] // Envoy: at or above the threshold
    [InlineData(84, false)]
    public void FailurePercentage_AtOrAboveTheThreshold_Ejected(int failurePercent, bool ejected)
    {
        using var cluster = FailurePercentageCluster(5);
        for (var i = 0; i < 4; i++)
        {
            Traffic(cluster, i, 50, 0);
        }

        Traffic(cluster, 4, 100 - failurePercent, failurePercent);

        cluster.Advance(Interval);

        Assert.Equal(ejected, cluster.IsEjected(4));
    }

    [Fact]
    public void FailurePercentage_EveryHostFailing_AllJudgedAlone_BoundedByMaxEjectionPercent()
    {
        // Unlike the success rate, failure percentage needs no healthy peers: each endpoint is judged alone.
        using var cluster = new OutlierTestCluster(5, o =>
        {
            o.Consecutive5xxErrors = 0;
            o.MaxEjectionPercent = 40;
            o.FailurePercentage = new FailurePercentageEjectionOptions();
        });
        for (var i = 0; i < 5; i++)
        {
            Traffic(cluster, i, 0, 60);
        }

        cluster.Advance(Interval);

        Assert.Equal(2, Enumerable.Range(0, 5).Count(cluster.IsEjected));
    }

    [Fact]
    public void FailurePercentage_BelowRequestVolume_NotJudged()
    {
        using var cluster = FailurePercentageCluster(5, o => o.MinimumHosts = 1);
        Traffic(cluster, 0, 0, 49);

        cluster.Advance(Interval);

        Assert.False(cluster.IsEjected(0));
    }

    [Fact]
    public void LocalFailures_CountAsFailures_OutsideSplitMode_NotInIt()
    {
        using var counted = FailurePercentageCluster(1, o => o.MinimumHosts = 1);
        counted.Report(0, ConnectFailure, 50);
        counted.Advance(Interval);
        Assert.True(counted.IsEjected(0));

        using var split = new OutlierTestCluster(1, o =>
        {
            o.Consecutive5xxErrors = 0;
            o.SplitExternalLocalOriginErrors = true;
            o.ConsecutiveLocalOriginFailures = 0;
            o.FailurePercentage = new FailurePercentageEjectionOptions { MinimumHosts = 1 };
        });
        split.Report(0, ConnectFailure, 50);
        split.Advance(Interval);
        Assert.False(split.IsEjected(0)); // Envoy's external-origin statistics see responses only in split mode
    }

    [Fact]
    public void Settings_CompareByValue_SoAReloadKeepsTheDetector()
    {
        var a = OutlierDetectionSettings.From(new OutlierDetectionOptions { SuccessRate = new SuccessRateEjectionOptions { MinimumHosts = 3 } });
        var b = OutlierDetectionSettings.From(new OutlierDetectionOptions { SuccessRate = new SuccessRateEjectionOptions { MinimumHosts = 3 } });
        var c = OutlierDetectionSettings.From(new OutlierDetectionOptions { SuccessRate = new SuccessRateEjectionOptions { MinimumHosts = 4 } });

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void BindConfiguration_SuccessRateAndFailurePercentage_Bind()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "OutlierDetection": {
                "SuccessRate": { "MinimumHosts": 3, "RequestVolume": 20, "StdevFactor": 1000, "EnforcementPercentage": 50 },
                "FailurePercentage": { "Threshold": 60, "MinimumHosts": 2, "RequestVolume": 10, "EnforcementPercentage": 75 } } } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var outlier = provider.GetRequiredService<IOptions<MeshOptions>>().Value.ExternalServices[0].TrafficPolicy.OutlierDetection!;

        Assert.Equal((3, 20, 1000, 50), (outlier.SuccessRate!.MinimumHosts, outlier.SuccessRate.RequestVolume, outlier.SuccessRate.StdevFactor, outlier.SuccessRate.EnforcementPercentage));
        Assert.Equal((60, 2, 10, 75), (outlier.FailurePercentage!.Threshold, outlier.FailurePercentage.MinimumHosts, outlier.FailurePercentage.RequestVolume, outlier.FailurePercentage.EnforcementPercentage));
    }

    [Fact]
    public void Validate_OutOfRange_NamesEachField_AndWarnsWhenTooFewEndpoints()
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        service.Resolution = ServiceResolution.Static;
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        for (var i = 1; i <= 3; i++)
        {
            service.Endpoints.Add(new ServiceEndpointOptions($"10.0.0.{i}"));
        }

        service.TrafficPolicy.OutlierDetection = new OutlierDetectionOptions
        {
            MaxEjectionPercent = 100,
            SuccessRate = new SuccessRateEjectionOptions { RequestVolume = 0, StdevFactor = -1, EnforcementPercentage = 101 },
            FailurePercentage = new FailurePercentageEjectionOptions { Threshold = 120, MinimumHosts = -1 },
        };
        var options = new MeshOptions();
        options.ExternalServices.Add(service);

        var findings = MeshOptionsValidator.Validate(options);

        const string Prefix = "External service 'api.example.com': trafficPolicy.outlierDetection";
        Assert.Equal(
            [
                Prefix + ".successRate.requestVolume must be at least 1 (was '0').",
                Prefix + ".successRate.stdevFactor must not be negative (was '-1').",
                Prefix + ".successRate.enforcementPercentage percentage 101 is not in range 0..100.",
                Prefix + ".failurePercentage.threshold percentage 120 is not in range 0..100.",
                Prefix + ".failurePercentage.minimumHosts must not be negative (was '-1').",
            ],
            findings.Where(f => f.IsError).Select(f => f.Message));
        Assert.Contains(
            Prefix + ".successRate.minimumHosts is 5, but the service has 3 endpoint(s): this rule never ejects anything; lower minimumHosts or rely on the consecutive rules.",
            findings.Where(f => !f.IsError).Select(f => f.Message));
    }
}
