using MeshClient.Configuration;
using MeshClient.Connections;

namespace MeshClient.Tests.Connections;

[Trait("Area", "ConnectionPool")]
public sealed class ConnectionPoolAdmissionTests
{
    [Fact]
    public void TryAdmit_MaxRequestsReached_OverflowsAndCounts()
    {
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxRequests = 2 });

        var first = admission.TryAdmit(needsConnection: true);
        var second = admission.TryAdmit(needsConnection: true);
        var third = admission.TryAdmit(needsConnection: true);

        Assert.False(first.IsOverflow);
        Assert.False(second.IsOverflow);
        Assert.True(third.IsOverflow);
        Assert.Equal(2, admission.ActiveRequests);
        Assert.Equal(1, admission.Overflows);

        admission.Release(first);
        var fourth = admission.TryAdmit(needsConnection: true);
        Assert.False(fourth.IsOverflow);
        admission.Release(second);
        admission.Release(fourth);
        AssertIdle(admission);
    }

    [Fact]
    public void TryAdmit_ConnectionsBusy_WaitsUpToMaxPendingThenOverflows()
    {
        // The Istio circuit-breaking task: maxConnections 1, http1MaxPendingRequests 1.
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxConnections = 1, MaxPendingRequests = 1 });

        var sending = admission.TryAdmit(needsConnection: true);
        var waiting = admission.TryAdmit(needsConnection: true);
        var refused = admission.TryAdmit(needsConnection: true);

        Assert.True(sending.HoldsConnection);
        Assert.False(sending.MustWait);
        Assert.True(waiting.MustWait);
        Assert.True(refused.IsOverflow);
        Assert.Equal(1, admission.ActiveConnections);
        Assert.Equal(1, admission.PendingRequests);
        Assert.Equal(2, admission.ActiveRequests);

        admission.Release(sending);

        Assert.True(waiting.Waiter!.Task.IsCompletedSuccessfully); // the freed connection went to the waiter
        Assert.False(waiting.WasSent);
        waiting.Waiter.MarkSent();
        Assert.True(waiting.WasSent);
        Assert.Equal(1, admission.ActiveConnections);
        Assert.Equal(0, admission.PendingRequests);
        admission.Release(waiting);
        AssertIdle(admission);
    }

    [Fact]
    public void Release_WaitersServedFirstComeFirstServed()
    {
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxConnections = 1 });
        var sending = admission.TryAdmit(needsConnection: true);
        var first = admission.TryAdmit(needsConnection: true);
        var second = admission.TryAdmit(needsConnection: true);

        admission.Release(sending);

        Assert.True(first.Waiter!.Task.IsCompletedSuccessfully);
        Assert.False(second.Waiter!.Task.IsCompleted);
        admission.Release(first);
        Assert.True(second.Waiter.Task.IsCompletedSuccessfully);
        admission.Release(second);
        AssertIdle(admission);
    }

    [Fact]
    public void Release_WhileStillWaiting_LeavesTheQueueUnsentAndHandsNoSlotBack()
    {
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxConnections = 1, MaxPendingRequests = 1 });
        var sending = admission.TryAdmit(needsConnection: true);
        var waiting = admission.TryAdmit(needsConnection: true);

        admission.Release(waiting); // cancelled or timed out while it waited

        Assert.False(waiting.WasSent);
        Assert.True(waiting.Waiter!.Task.IsCanceled);
        Assert.Equal(0, admission.PendingRequests);
        Assert.Equal(1, admission.ActiveConnections); // the sending one still holds its slot
        var next = admission.TryAdmit(needsConnection: true);
        Assert.True(next.MustWait); // the pending place is free again
        admission.Release(sending);
        admission.Release(next);
        AssertIdle(admission);
    }

    [Fact]
    public void TryAdmit_Http2Request_TakesNoConnectionSlot()
    {
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxConnections = 1, MaxPendingRequests = 1 });
        var http1 = admission.TryAdmit(needsConnection: true);

        var multiplexed = Enumerable.Range(0, 5).Select(_ => admission.TryAdmit(needsConnection: false)).ToList();

        Assert.All(multiplexed, t => Assert.False(t.IsOverflow || t.MustWait || t.HoldsConnection));
        Assert.Equal(1, admission.ActiveConnections);
        admission.Release(http1);
        multiplexed.ForEach(t => admission.Release(t));
        AssertIdle(admission);
    }

    [Fact]
    public void Limits_LoweredWhileBusy_NewAttemptsWaitUntilBelow()
    {
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxConnections = 3 });
        var a = admission.TryAdmit(true);
        var b = admission.TryAdmit(true);

        admission.Limits = new ConnectionLimits { MaxConnections = 1, MaxPendingRequests = 5 };
        var c = admission.TryAdmit(true);
        Assert.True(c.MustWait);
        admission.Release(a);
        Assert.True(c.MustWait); // still 1 busy, at the new limit
        admission.Release(b);
        Assert.True(c.Waiter!.Task.IsCompletedSuccessfully);
        admission.Release(c);
        AssertIdle(admission);
    }

    [Fact]
    public void TryStartRetry_MaxRetriesInFlight_RefusedAndCounted()
    {
        var admission = new ConnectionPoolAdmission(new ConnectionLimits { MaxRetries = 2 });

        Assert.True(admission.TryStartRetry());
        Assert.True(admission.TryStartRetry());
        Assert.False(admission.TryStartRetry());
        Assert.Equal(2, admission.ActiveRetries);
        Assert.Equal(1, admission.RetryOverflows);

        admission.EndRetry();
        Assert.True(admission.TryStartRetry());
        admission.EndRetry();
        admission.EndRetry();
        Assert.Equal(0, admission.ActiveRetries);
    }

    [Fact]
    public void TryStartRetry_NoLimit_AlwaysAdmittedAndStillCounted()
    {
        var admission = new ConnectionPoolAdmission();

        for (var i = 0; i < 100; i++)
        {
            Assert.True(admission.TryStartRetry());
        }

        Assert.Equal(100, admission.ActiveRetries);
        for (var i = 0; i < 100; i++)
        {
            admission.EndRetry();
        }

        Assert.Equal(0, admission.ActiveRetries);
        Assert.Equal(0, admission.RetryOverflows);
    }

    [Fact]
    public async Task TryAdmit_ConcurrentAttempts_NeverOverTheLimitsAndBalanced()
    {
        var limits = new ConnectionLimits { MaxConnections = 3, MaxPendingRequests = 4, MaxRequests = 6, Scope = ConnectionPoolScope.Cluster };
        var admission = new ConnectionPoolAdmission(limits);
        var maxConnections = 0;
        var maxPending = 0;
        var sent = 0;
        var overflows = 0;

        async Task Worker(int seed)
        {
            var random = new Random(seed);
            for (var i = 0; i < 2000; i++)
            {
                var ticket = admission.TryAdmit(needsConnection: true);
                if (ticket.IsOverflow)
                {
                    Interlocked.Increment(ref overflows);
                    continue;
                }

                InterlockedMax(ref maxConnections, admission.ActiveConnections);
                InterlockedMax(ref maxPending, admission.PendingRequests);
                if (ticket.MustWait && random.Next(4) != 0)
                {
                    await ticket.Waiter!.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
                    ticket.Waiter.MarkSent();
                }

                if (ticket.WasSent)
                {
                    Interlocked.Increment(ref sent);
                    if (random.Next(8) == 0)
                    {
                        await Task.Yield();
                    }
                }

                admission.Release(ticket);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(seed => Task.Run(() => Worker(seed), TestContext.Current.CancellationToken)));

        AssertIdle(admission);
        Assert.InRange(maxConnections, 1, limits.MaxConnections);
        Assert.InRange(maxPending, 0, limits.MaxPendingRequests);
        Assert.True(sent > 0);
        Assert.Equal(overflows, admission.Overflows);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static void AssertIdle(ConnectionPoolAdmission admission)
    {
        Assert.Equal(0, admission.ActiveRequests);
        Assert.Equal(0, admission.ActiveConnections);
        Assert.Equal(0, admission.PendingRequests);
    }
}
