using MeshClient.Configuration;
using MeshClient.Health;
using MeshClient.LoadBalancing;

namespace MeshClient.Tests.Health;

[Trait("Area", "ActiveHealth")]
public sealed class ActiveHealthCheckerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Checks_FirstCheckOfEachEndpoint_RunsRightAwayAndOnTheirOwnTimerAfterThat()
    {
        using var cluster = new ActiveHealthTestCluster(2);

        Assert.Empty(cluster.Checks);
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, cluster.ChecksTo(0));
        Assert.Equal(1, cluster.ChecksTo(1));

        cluster.Advance(Interval);
        Assert.Equal(2, cluster.ChecksTo(0));
        cluster.Advance(Interval * 3);
        Assert.Equal(5, cluster.ChecksTo(1));
        Assert.All(cluster.Cluster.Endpoints, e => Assert.Equal(ActiveHealthStatus.Healthy, e.ActiveHealth.Status));
    }

    [Fact]
    public void Thresholds_UnhealthyAfterExactlyUnhealthyThresholdFailures()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.UnhealthyThreshold = 3);
        cluster.Advance(TimeSpan.FromMilliseconds(1)); // first pass: healthy

        cluster.Answer(1, CheckAnswer.Unavailable);
        cluster.Advance(Interval * 2);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);

        cluster.Advance(Interval);
        Assert.Equal(["10.0.0.1:80"], cluster.Available);
        Assert.Equal(EndpointUnavailability.FailedActiveCheck, cluster[1].Unavailability);
        Assert.Equal(ActiveHealthStatus.Unhealthy, cluster[1].ActiveHealth.Status);
        Assert.Equal(3, cluster[1].ActiveHealth.FailedChecks);
    }

    [Fact]
    public void Thresholds_BackAfterExactlyHealthyThresholdPasses()
    {
        using var cluster = new ActiveHealthTestCluster(2, o =>
        {
            o.UnhealthyThreshold = 1;
            o.HealthyThreshold = 3;
        });
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Advance(Interval);
        Assert.Equal(["10.0.0.2:80"], cluster.Available);

        cluster.Answer(0, CheckAnswer.Ok);
        cluster.Advance(Interval * 2);
        Assert.Equal(["10.0.0.2:80"], cluster.Available);
        cluster.Advance(Interval);

        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
        Assert.Equal(EndpointUnavailability.None, cluster[0].Unavailability);
    }

    [Fact]
    [Trait("Area", "LoadBalancing")]
    public void BackAfterFailing_RestartsTheSlowStartWindow_AsEnvoy()
    {
        using var cluster = new ActiveHealthTestCluster(2, o =>
        {
            o.UnhealthyThreshold = 1;
            o.HealthyThreshold = 1;
        });
        var joined = cluster[0].JoinedTimestamp;
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Advance(Interval);
        Assert.Equal(joined, cluster[0].JoinedTimestamp); // failing does not restart it

        cluster.Answer(0, CheckAnswer.Ok);
        cluster.Advance(Interval);

        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
        Assert.True(cluster[0].JoinedTimestamp > joined);
        Assert.Equal(joined, cluster[1].JoinedTimestamp);
    }

    [Fact]
    public void Thresholds_Flapping_NeverReachesEitherThreshold()
    {
        using var cluster = new ActiveHealthTestCluster(1, o =>
        {
            o.UnhealthyThreshold = 2;
            o.HealthyThreshold = 2;
        });
        cluster.Advance(TimeSpan.FromMilliseconds(1));

        for (var i = 0; i < 10; i++)
        {
            cluster.Answer(0, i % 2 == 0 ? CheckAnswer.Unavailable : CheckAnswer.Ok);
            cluster.Advance(Interval);
            Assert.Equal(ActiveHealthStatus.Healthy, cluster[0].ActiveHealth.Status);
        }

        // Two failures in a row take it out; then a pass, a failure, a pass do not bring it back.
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Advance(Interval * 2);
        Assert.Equal(ActiveHealthStatus.Unhealthy, cluster[0].ActiveHealth.Status);
        foreach (var answer in new[] { CheckAnswer.Ok, CheckAnswer.Unavailable, CheckAnswer.Ok })
        {
            cluster.Answer(0, answer);
            cluster.Advance(Interval);
            Assert.Equal(ActiveHealthStatus.Unhealthy, cluster[0].ActiveHealth.Status);
        }

        Assert.Empty(cluster.Available);
        Assert.Equal(16, cluster[0].ActiveHealth.Checks);
    }

    [Fact]
    public void Thresholds_TimeoutCountsAsAFailureAndCancelsTheCheck()
    {
        using var cluster = new ActiveHealthTestCluster(2, o =>
        {
            o.UnhealthyThreshold = 1;
            o.Timeout = TimeSpan.FromSeconds(2);
        });
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        cluster.Answer(1, CheckAnswer.Hang);

        cluster.Advance(Interval);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
        cluster.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, cluster.Cancelled);
        Assert.Equal(["10.0.0.1:80"], cluster.Available);
    }

    [Fact]
    public void Thresholds_RefusedConnectionIsAFailure()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.UnhealthyThreshold = 2);
        cluster.Answer(0, CheckAnswer.Refuse);

        cluster.Advance(TimeSpan.FromMilliseconds(1) + Interval);

        Assert.Equal(["10.0.0.2:80"], cluster.Available);
    }

    [Fact]
    public void NewEndpoint_Unknown_TakesTrafficAndNeedsOnePassToBeHealthy()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.HealthyThreshold = 5);

        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
        Assert.Equal(ActiveHealthStatus.Unknown, cluster[0].ActiveHealth.Status);
        cluster.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ActiveHealthStatus.Healthy, cluster[0].ActiveHealth.Status);
    }

    [Fact]
    public void NoTrafficUntilHealthy_NewEndpointsWaitForTheirFirstPass_AndNoneAvailableIsUH()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.NoTrafficUntilHealthy = true);
        cluster.Answer(1, CheckAnswer.Unavailable);

        Assert.Empty(cluster.Available);
        Assert.Null(cluster.Cluster.StartAttempt(default, out _, out _).Endpoint); // Envoy UH

        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["10.0.0.1:80"], cluster.Available);

        // A reload adds an endpoint: out until its first check passes.
        cluster.Addresses.Add("10.0.0.3");
        cluster.Answers["10.0.0.3:80"] = CheckAnswer.Ok;
        cluster.Reload();
        Assert.Equal(["10.0.0.1:80"], cluster.Available);
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["10.0.0.1:80", "10.0.0.3:80"], cluster.Available);
    }

    [Fact]
    public void Jitter_EachDelayIsTheIntervalPlusARandomShareOfTheJitter()
    {
        // The first check at 2 s (a random share of [0, jitter]).
        using var cluster = new ActiveHealthTestCluster(1, o => o.IntervalJitter = TimeSpan.FromSeconds(4), randoms: [0.5]);

        cluster.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(0, cluster.ChecksTo(0));
        cluster.QueueRandom(0.999); // the next: 10 s + 3.996 s later
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, cluster.ChecksTo(0));

        cluster.Advance(TimeSpan.FromMilliseconds(13995));
        Assert.Equal(1, cluster.ChecksTo(0));
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, cluster.ChecksTo(0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.999999)]
    public void Jitter_DelayStaysWithinIntervalAndIntervalPlusJitter(double random)
    {
        using var cluster = new ActiveHealthTestCluster(1, o => o.IntervalJitter = TimeSpan.FromSeconds(3));
        cluster.QueueRandom(random);

        var delay = cluster.Checker!.Jittered(Interval);

        Assert.InRange(delay, Interval, Interval + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Outlier_PassingCheckOnHealthyEndpoint_UnejectsAndClearsCounters()
    {
        using var cluster = new ActiveHealthTestCluster(2, outlier: new OutlierDetectionOptions { MaxEjectionPercent = 100, BaseEjectionTime = TimeSpan.FromMinutes(5) });
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Report(cluster, 0, 503, 5);
        Assert.True(cluster[0].Health.IsEjected);
        Assert.Equal(["10.0.0.2:80"], cluster.Available);

        cluster.Advance(Interval);

        Assert.False(cluster[0].Health.IsEjected);
        Assert.Equal(0, cluster[0].Health.Consecutive5xx);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
    }

    [Fact]
    public void Outlier_RoutableOnlyWhenNeitherMarksItDown()
    {
        using var cluster = new ActiveHealthTestCluster(2, o =>
        {
            o.UnhealthyThreshold = 1;
            o.HealthyThreshold = 2;
        }, new OutlierDetectionOptions { MaxEjectionPercent = 100, BaseEjectionTime = TimeSpan.FromMinutes(5) });
        cluster.Advance(TimeSpan.FromMilliseconds(1));

        // Active checks fail it, then outlier detection ejects it too.
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Advance(Interval);
        Report(cluster, 0, 500, 5);
        Assert.Equal(EndpointUnavailability.Ejected | EndpointUnavailability.FailedActiveCheck, cluster[0].Unavailability);

        // One pass: still unhealthy for active health, so not un-ejected either.
        cluster.Answer(0, CheckAnswer.Ok);
        cluster.Advance(Interval);
        Assert.Equal(EndpointUnavailability.Ejected | EndpointUnavailability.FailedActiveCheck, cluster[0].Unavailability);
        Assert.Equal(["10.0.0.2:80"], cluster.Available);

        // The second pass makes it healthy, which lets it back in from both.
        cluster.Advance(Interval);
        Assert.Equal(EndpointUnavailability.None, cluster[0].Unavailability);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
    }

    [Fact]
    public void Outlier_HealthyByChecksButEjected_StaysOutUntilAPassingCheck()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.Interval = TimeSpan.FromMinutes(1), new OutlierDetectionOptions { MaxEjectionPercent = 100, BaseEjectionTime = TimeSpan.FromMinutes(5) });
        cluster.Advance(TimeSpan.FromMilliseconds(1));

        Report(cluster, 1, 500, 5);
        cluster.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(["10.0.0.1:80"], cluster.Available);
        Assert.Equal(ActiveHealthStatus.Healthy, cluster[1].ActiveHealth.Status);

        cluster.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
    }

    [Fact]
    public void Outlier_PanicThreshold_BalancesOverAllWhenChecksFailEverywhere()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.UnhealthyThreshold = 1, new OutlierDetectionOptions { MinHealthPercent = 50 });
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Answer(1, CheckAnswer.Unavailable);

        cluster.Advance(Interval);

        Assert.All(cluster.Cluster.Endpoints, e => Assert.Equal(EndpointUnavailability.FailedActiveCheck, e.Unavailability));
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available); // panic: all of them
    }

    [Fact]
    public void AllDown_WithoutPanic_PickFindsNoEndpoint()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.UnhealthyThreshold = 1);
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Answer(1, CheckAnswer.Refuse);

        cluster.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Empty(cluster.Available);
        Assert.Null(cluster.Cluster.StartAttempt(default, out _, out _).Endpoint);
    }

    [Fact]
    public void Checks_AreNotUserTraffic()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.UnhealthyThreshold = 1);
        cluster.Answer(0, CheckAnswer.Unavailable);

        cluster.Advance(TimeSpan.FromMilliseconds(1) + (Interval * 3));

        Assert.Equal(8, cluster.Checks.Count);
        Assert.All(cluster.Cluster.Endpoints, e =>
        {
            Assert.Equal(0, e.Requests);
            Assert.Equal(0, e.Failures);
            Assert.Equal(0, e.InFlight);
            Assert.Equal(0, e.Health.Consecutive5xx); // outlier detection never sees a check
        });
    }

    [Fact]
    public void Checks_HttpRequestCarriesServiceHostPathMethodAndHeaders()
    {
        using var cluster = new ActiveHealthTestCluster(1, o =>
        {
            o.Http!.Path = "/ready?deep=1";
            o.Http.Method = "head";
            o.Http.Headers["X-Probe"] = "mesh";
        }, protocol: ServiceProtocol.Https);

        cluster.Advance(TimeSpan.FromMilliseconds(1));

        var (endpoint, request) = Assert.Single(cluster.Checks);
        Assert.Equal("10.0.0.1:80", endpoint);
        Assert.Equal(new Uri("https://api.example.com/ready?deep=1"), request.RequestUri);
        Assert.Equal(HttpMethod.Head, request.Method);
        Assert.Equal(["mesh"], request.Headers.GetValues("X-Probe"));
    }

    [Fact]
    public void Checks_ExpectedStatusRanges_DecidePassOrFail()
    {
        using var cluster = new ActiveHealthTestCluster(1, o =>
        {
            o.UnhealthyThreshold = 1;
            o.Http!.ExpectedStatuses.Add(new HttpStatusRange(200, 300));
            o.Http.ExpectedStatuses.Add(new HttpStatusRange(503, 504));
        });
        cluster.Answer(0, CheckAnswer.Unavailable); // 503 is expected here

        cluster.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ActiveHealthStatus.Healthy, cluster[0].ActiveHealth.Status);
        Assert.True(cluster.Checker!.Settings.IsExpected(204));
        Assert.False(cluster.Checker.Settings.IsExpected(300));
        Assert.False(cluster.Checker.Settings.IsExpected(504));
    }

    [Fact]
    public void Checks_Tcp_ConnectDecides()
    {
        using var cluster = new ActiveHealthTestCluster(2, o =>
        {
            o.Http = null;
            o.Tcp = new TcpHealthCheckOptions();
            o.UnhealthyThreshold = 1;
        });
        cluster.Answer(1, CheckAnswer.Refuse);

        cluster.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(["10.0.0.1:80"], cluster.Available);
        Assert.True(cluster.Checker!.Settings.IsTcp);
    }

    [Fact]
    public void Concurrency_IsBounded()
    {
        using var cluster = new ActiveHealthTestCluster(ActiveHealthChecker.MaxConcurrentChecks + 4, o => o.Timeout = TimeSpan.FromSeconds(5));
        foreach (var address in cluster.Addresses)
        {
            cluster.Answers[address + ":80"] = CheckAnswer.Hang;
        }

        cluster.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ActiveHealthChecker.MaxConcurrentChecks, cluster.Checks.Count);
        Assert.Equal(ActiveHealthChecker.MaxConcurrentChecks, cluster.Checker!.InFlight);

        // The first ones time out, the others get their slots.
        cluster.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ActiveHealthChecker.MaxConcurrentChecks + 4, cluster.Checks.Count);
    }

    [Fact]
    public void Dispose_StopsTimersAndCancelsChecksInFlight()
    {
        var cluster = new ActiveHealthTestCluster(2);
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        cluster.Answer(0, CheckAnswer.Hang);
        cluster.Advance(Interval);
        var sent = cluster.Checks.Count;

        cluster.Dispose();
        Assert.Equal(1, cluster.Cancelled);
        cluster.Advance(Interval * 5);

        Assert.Equal(sent, cluster.Checks.Count);
        Assert.Equal(0, cluster.Checker?.Probes ?? 0);
    }

    [Fact]
    public void RetiredEndpoint_IsNoLongerChecked()
    {
        using var cluster = new ActiveHealthTestCluster(2);
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        var retired = cluster[1];

        cluster.Addresses.RemoveAt(1);
        cluster.Reload();
        cluster.Advance(Interval * 3);

        Assert.True(retired.IsRetired);
        Assert.Equal(1, cluster.Checks.Count(c => c.Endpoint == "10.0.0.2:80"));
        Assert.Equal(4, cluster.ChecksTo(0));
        Assert.Equal(1, cluster.Checker!.Probes);
    }

    [Fact]
    public void Reload_TurningChecksOff_BringsFailedEndpointsBack()
    {
        using var cluster = new ActiveHealthTestCluster(2, o => o.UnhealthyThreshold = 1);
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["10.0.0.2:80"], cluster.Available);

        cluster.Options = null;
        cluster.Reload();

        Assert.Null(cluster.Checker);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
        Assert.Equal(ActiveHealthStatus.Unknown, cluster[0].ActiveHealth.Status);
    }

    [Fact]
    public void Reload_ChangedSettings_NewCheckerKeepsEndpointStatus()
    {
        using var cluster = new ActiveHealthTestCluster(2, o =>
        {
            o.UnhealthyThreshold = 1;
            o.HealthyThreshold = 2;
        });
        cluster.Answer(0, CheckAnswer.Unavailable);
        cluster.Advance(TimeSpan.FromMilliseconds(1));
        var first = cluster.Checker;

        cluster.Options!.Interval = TimeSpan.FromSeconds(5);
        cluster.Reload();

        Assert.NotSame(first, cluster.Checker);
        Assert.Equal(["10.0.0.2:80"], cluster.Available);
        cluster.Answer(0, CheckAnswer.Ok);
        cluster.Advance(TimeSpan.FromMilliseconds(1)); // the new checker checks at once
        Assert.Equal(["10.0.0.2:80"], cluster.Available); // one pass of two
        cluster.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
    }

    private static void Report(ActiveHealthTestCluster cluster, int index, int status, int times)
    {
        for (var i = 0; i < times; i++)
        {
            var endpoint = cluster[index];
            var pool = endpoint.TryStart()!;
            cluster.Cluster.EndAttempt(PickResult.For(endpoint), pool, default, AttemptOutcome.Response(status, 0, 0));
        }
    }
}
