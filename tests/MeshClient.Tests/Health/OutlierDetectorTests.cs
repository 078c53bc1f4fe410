using MeshClient.Health;
using static MeshClient.Tests.Health.OutlierTestCluster;

namespace MeshClient.Tests.Health;

[Trait("Area", "OutlierDetection")]
public sealed class OutlierDetectorTests
{
    [Fact]
    public void OnAttemptEnded_FifthConsecutive5xx_EjectsByDefault()
    {
        using var cluster = new OutlierTestCluster(2);

        cluster.Report(1, ServerError, 4);
        Assert.False(cluster.IsEjected(1));
        cluster.Report(1, ServerError);

        Assert.True(cluster.IsEjected(1));
        Assert.Equal(EndpointUnavailability.Ejected, cluster[1].Unavailability);
        Assert.Equal(["10.0.0.1:80"], cluster.Available);
    }

    [Fact]
    public void OnAttemptEnded_SuccessBetweenErrors_RestartsTheCount()
    {
        using var cluster = new OutlierTestCluster(2);

        cluster.Report(0, ServerError, 4);
        cluster.Report(0, Ok);
        cluster.Report(0, ServerError, 4);

        Assert.False(cluster.IsEjected(0));
        cluster.Report(0, ServerError);
        Assert.True(cluster.IsEjected(0));
    }

    [Fact]
    public void OnAttemptEnded_4xx_IsASuccess()
    {
        using var cluster = new OutlierTestCluster(2);

        cluster.Report(0, ServerError, 4);
        cluster.Report(0, AttemptOutcome.Response(404, 0, 0));
        cluster.Report(0, ServerError);

        Assert.False(cluster.IsEjected(0));
    }

    [Fact]
    public void OnAttemptEnded_CancelledAndCallerErrors_NeitherCountNorReset()
    {
        using var cluster = new OutlierTestCluster(2);

        cluster.Report(0, ServerError, 4);
        cluster.Report(0, AttemptOutcome.Cancelled(0, 0));
        cluster.Report(0, AttemptOutcome.CallerError(0, 0));
        cluster.Report(0, ServerError);

        Assert.True(cluster.IsEjected(0));
    }

    [Fact]
    public void OnAttemptEnded_Consecutive5xxZero_NeverEjects()
    {
        using var cluster = new OutlierTestCluster(2, o => o.Consecutive5xxErrors = 0);

        cluster.Report(0, ServerError, 50);

        Assert.False(cluster.IsEjected(0));
    }

    [Fact]
    public void OnAttemptEnded_GatewayErrors_EjectOnlyWhenConsecutive()
    {
        using var cluster = new OutlierTestCluster(2, o =>
        {
            o.Consecutive5xxErrors = 0;
            o.ConsecutiveGatewayErrors = 3;
        });

        cluster.Report(0, Unavailable, 2);
        cluster.Report(0, ServerError); // a 500 is not a gateway error: the gateway count restarts
        cluster.Report(0, Unavailable, 2);
        Assert.False(cluster.IsEjected(0));

        cluster.Report(0, AttemptOutcome.Response(504, 0, 0));
        Assert.True(cluster.IsEjected(0));
    }

    [Fact]
    public void OnAttemptEnded_LocalFailuresWithoutSplit_CountAs503And504()
    {
        using var cluster = new OutlierTestCluster(3, o =>
        {
            o.Consecutive5xxErrors = 5;
            o.ConsecutiveGatewayErrors = 2;
        });

        cluster.Report(0, ConnectFailure, 2);  // 503: a gateway error
        cluster.Report(1, LocalTimeout, 2);         // 504: a gateway error
        cluster.Report(2, ConnectFailure);
        cluster.Report(2, ServerError);        // resets the gateway count, not the 5xx count
        cluster.Report(2, ConnectFailure);
        cluster.Report(2, ServerError);
        Assert.False(cluster.IsEjected(2));
        cluster.Report(2, LocalTimeout);       // the fifth 5xx in a row

        Assert.True(cluster.IsEjected(0));
        Assert.True(cluster.IsEjected(1));
        Assert.True(cluster.IsEjected(2));
    }

    [Fact]
    public void OnAttemptEnded_SplitMode_LocalFailuresCountApart()
    {
        using var cluster = new OutlierTestCluster(3, o => o.SplitExternalLocalOriginErrors = true);

        // Local failures do not feed the 5xx count, and responses restart the local-origin count.
        cluster.Report(0, ServerError, 4);
        cluster.Report(0, ConnectFailure, 4);
        cluster.Report(0, Unavailable); // fifth 5xx: ejected by the response rule
        cluster.Report(1, ConnectFailure, 4);
        cluster.Report(1, Unavailable);
        cluster.Report(1, LocalTimeout, 4);
        Assert.True(cluster.IsEjected(0));
        Assert.False(cluster.IsEjected(1));

        cluster.Report(2, ConnectFailure, 5); // consecutiveLocalOriginFailures defaults to 5 in split mode
        Assert.True(cluster.IsEjected(2));
    }

    [Fact]
    public void OnAttemptEnded_SplitModeWithLocalOriginThreshold_UsesIt()
    {
        using var cluster = new OutlierTestCluster(2, o =>
        {
            o.SplitExternalLocalOriginErrors = true;
            o.ConsecutiveLocalOriginFailures = 2;
        });

        cluster.Report(0, LocalTimeout);
        cluster.Report(0, Ok);
        cluster.Report(0, LocalTimeout);
        Assert.False(cluster.IsEjected(0));

        cluster.Report(0, ConnectFailure);
        Assert.True(cluster.IsEjected(0));
    }

    [Fact]
    public void OnAttemptEnded_HttpErrorCodes_OnlyThoseCodesCount()
    {
        using var cluster = new OutlierTestCluster(2, o => o.HttpErrorCodes.Add(429));

        cluster.Report(0, ServerError, 10); // not in the list: a success
        cluster.Report(1, AttemptOutcome.Response(429, 0, 0), 5);

        Assert.False(cluster.IsEjected(0));
        Assert.True(cluster.IsEjected(1));
    }

    [Fact]
    public void Sweep_EjectionTimeUp_LetsTheEndpointBackAtTheNextInterval()
    {
        using var cluster = new OutlierTestCluster(2, o => o.BaseEjectionTime = TimeSpan.FromSeconds(25));
        cluster.Report(0, ServerError, 5);

        cluster.Advance(TimeSpan.FromSeconds(20));
        Assert.True(cluster.IsEjected(0));

        // 25 s are up between sweeps; the endpoint returns at the sweep at 30 s (granularity = interval).
        cluster.Advance(TimeSpan.FromSeconds(9));
        Assert.True(cluster.IsEjected(0));
        cluster.Advance(TimeSpan.FromSeconds(1));

        Assert.False(cluster.IsEjected(0));
        Assert.Equal(EndpointUnavailability.None, cluster[0].Unavailability);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80"], cluster.Available);
    }

    [Fact]
    public void Sweep_Reejection_MultipliesTheBaseTimeThenDecays()
    {
        using var cluster = new OutlierTestCluster(2);
        cluster.Report(0, ServerError, 5);                 // t=0: first ejection, 30 s
        cluster.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cluster.IsEjected(0));

        cluster.Report(0, ServerError, 5);                 // t=30: second in a row, 60 s
        Assert.Equal(2, cluster[0].Health.EjectTimeBackoff);
        cluster.Advance(TimeSpan.FromSeconds(50));
        Assert.True(cluster.IsEjected(0));
        cluster.Advance(TimeSpan.FromSeconds(10));    // t=90
        Assert.False(cluster.IsEjected(0));
        Assert.Equal(2, cluster[0].Health.EjectTimeBackoff);

        cluster.Advance(TimeSpan.FromSeconds(10));    // one healthy interval
        Assert.Equal(1, cluster[0].Health.EjectTimeBackoff);
        cluster.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, cluster[0].Health.EjectTimeBackoff);
        cluster.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, cluster[0].Health.EjectTimeBackoff);
        Assert.Equal(2, cluster[0].Health.Ejections);
    }

    [Fact]
    public void Sweep_RepeatedEjections_GrowUntilMaxEjectionTime()
    {
        using var cluster = new OutlierTestCluster(2, o =>
        {
            o.Interval = TimeSpan.FromSeconds(1);
            o.BaseEjectionTime = TimeSpan.FromSeconds(100);
            o.MaxEjectionTime = TimeSpan.FromSeconds(250);
        });

        var durations = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            cluster.Report(0, ServerError, 5);
            var seconds = 0;
            while (cluster.IsEjected(0))
            {
                cluster.Advance(TimeSpan.FromSeconds(1));
                seconds++;
            }

            durations.Add(seconds);
        }

        Assert.Equal([100d, 200, 250, 250, 250], durations);
        Assert.Equal(4, cluster[0].Health.EjectTimeBackoff); // grows while backoff × base < max + base
    }

    [Theory]
    [InlineData(2, 10, false, 0)]
    [InlineData(2, 10, true, 1)]
    [InlineData(4, 10, false, 0)]
    [InlineData(4, 10, true, 1)]
    [InlineData(4, 25, false, 1)]
    [InlineData(4, 50, false, 2)]
    [InlineData(10, 10, false, 1)]
    [InlineData(10, 10, true, 1)]
    [InlineData(20, 10, false, 2)]
    [InlineData(20, 10, true, 2)]
    [InlineData(2, 100, false, 2)]
    public void OnAttemptEnded_MaxEjectionPercent_EjectsOnlyWhileEnvoysRuleAllows(int endpoints, int maxEjectionPercent, bool alwaysEjectOneHost, int expectedEjected)
    {
        using var cluster = new OutlierTestCluster(endpoints, o =>
        {
            o.MaxEjectionPercent = maxEjectionPercent;
            o.AlwaysEjectOneHost = alwaysEjectOneHost;
        });

        for (var i = 0; i < endpoints; i++)
        {
            cluster.Report(i, ServerError, 5);
        }

        Assert.Equal(expectedEjected, Enumerable.Range(0, endpoints).Count(cluster.IsEjected));
        Assert.Equal(endpoints - expectedEjected, cluster.Available.Length);
    }

    [Fact]
    public void OnAttemptEnded_OverflowRefused_CounterRestartsAndLaterEjectionWorks()
    {
        using var cluster = new OutlierTestCluster(2, o => o.MaxEjectionPercent = 50);
        cluster.Report(0, ServerError, 5);
        cluster.Report(1, ServerError, 9); // refused at 5; 4 more in the new run
        Assert.False(cluster.IsEjected(1));

        cluster.Advance(TimeSpan.FromSeconds(30)); // endpoint 0 returns
        cluster.Report(1, ServerError);                 // the tenth: the second run reaches 5

        Assert.True(cluster.IsEjected(1));
    }

    [Fact]
    public void Build_AllEjectedWithoutPanic_NoEndpointToPick()
    {
        using var cluster = new OutlierTestCluster(2);

        cluster.Report(0, ServerError, 5);
        cluster.Report(1, ServerError, 5);

        Assert.Empty(cluster.Available);
        Assert.Null(cluster.Cluster.Picker.Pick(default).Endpoint); // the handler answers 503 UH
    }

    [Fact]
    public void Build_BelowMinHealthPercent_PanicsAndBalancesOverAll()
    {
        using var cluster = new OutlierTestCluster(4, o => o.MinHealthPercent = 50);

        cluster.Report(0, ServerError, 5);
        cluster.Report(1, ServerError, 5);
        Assert.Equal(["10.0.0.3:80", "10.0.0.4:80"], cluster.Available); // 50 % healthy: not below the threshold

        cluster.Report(2, ServerError, 5);
        Assert.Equal(4, cluster.Available.Length); // 25 % < 50 %: panic, every endpoint
        Assert.True(cluster.IsEjected(2));

        cluster.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(4, cluster.Available.Length);
        Assert.Equal(0, Enumerable.Range(0, 4).Count(cluster.IsEjected));
    }

    [Fact]
    public void Update_SameSettingsAndEndpointKept_KeepsCountersAndEjection()
    {
        using var cluster = new OutlierTestCluster(3);
        cluster.Report(0, ServerError, 5);
        cluster.Report(1, ServerError, 4);

        cluster.Addresses.RemoveAt(2);
        cluster.Reload();
        cluster.Report(1, ServerError);

        Assert.True(cluster.IsEjected(0));
        Assert.True(cluster.IsEjected(1));
        Assert.Empty(cluster.Available);
    }

    [Fact]
    public void Update_ChangedSettings_NewDetectorTakesOverEjectedEndpoints()
    {
        using var cluster = new OutlierTestCluster(2);
        cluster.Report(0, ServerError, 5);
        cluster.Report(1, ServerError, 2);

        cluster.Options!.Consecutive5xxErrors = 3;
        cluster.Reload();
        Assert.True(cluster.IsEjected(0));
        cluster.Report(1, ServerError); // the third in a row, counted across the reload
        Assert.True(cluster.IsEjected(1));

        cluster.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cluster.IsEjected(0));
        Assert.False(cluster.IsEjected(1));
    }

    [Fact]
    public void Update_OutlierDetectionRemoved_EjectedEndpointsReturn()
    {
        using var cluster = new OutlierTestCluster(2);
        cluster.Report(0, ServerError, 5);

        cluster.Options = null;
        cluster.Reload();

        Assert.False(cluster.IsEjected(0));
        Assert.Equal(2, cluster.Available.Length);
    }

    [Fact]
    public void Dispose_StopsTheSweep()
    {
        var cluster = new OutlierTestCluster(2);
        cluster.Report(0, ServerError, 5);

        cluster.Dispose();
        cluster.Advance(TimeSpan.FromMinutes(5));

        Assert.True(cluster.IsEjected(0));
    }
}
