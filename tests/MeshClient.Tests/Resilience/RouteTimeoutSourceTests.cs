using MeshClient.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Resilience;

/// <summary>The route timeout the routing handler runs in its own frame (<see cref="RouteTimeout"/>).</summary>
[Trait("Area", "Retries")]
public sealed class RouteTimeoutSourceTests
{
    [Fact]
    public void Source_OnTheInjectedClock_ExpiresAtTheDuration()
    {
        var time = new FakeTimeProvider();
        var timeout = new RouteTimeout(TimeSpan.FromSeconds(2), time);

        var source = timeout.Start(CancellationToken.None, out var link);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(source.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(source.IsCancellationRequested);

        timeout.End(source, link);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CallerCancellation_CancelsTheSource_AndAnEndedSourceIsUnlinked(bool systemClock)
    {
        var timeout = new RouteTimeout(TimeSpan.FromMinutes(5), systemClock ? TimeProvider.System : new FakeTimeProvider());
        using var caller = new CancellationTokenSource();

        var source = timeout.Start(caller.Token, out var link);
        Assert.False(source.IsCancellationRequested);
        caller.Cancel();
        Assert.True(source.IsCancellationRequested);
        timeout.End(source, link);

        using var later = new CancellationTokenSource();
        var next = timeout.Start(later.Token, out var nextLink);
        timeout.End(next, nextLink);
        later.Cancel();
        Assert.False(next.IsCancellationRequested); // an ended source no longer follows its caller
    }

    [Fact]
    public void SystemClock_ACancelledSourceIsNeverHandedOutAgain()
    {
        var timeout = new RouteTimeout(TimeSpan.FromMinutes(5), TimeProvider.System);
        using var caller = new CancellationTokenSource();
        var cancelled = timeout.Start(caller.Token, out var link);
        caller.Cancel();
        timeout.End(cancelled, link);

        for (var i = 0; i < 64; i++)
        {
            var source = timeout.Start(CancellationToken.None, out var next);
            Assert.False(source.IsCancellationRequested);
            Assert.NotSame(cancelled, source);
            timeout.End(source, next);
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(1, true)]
    [InlineData(24 * 24 * 3600 * 1000.0, true)]
    [InlineData(25 * 24 * 3600 * 1000.0, false)]
    public void Applies_PositiveDurationsUpToTheLongestTimer(double milliseconds, bool applies) =>
        Assert.Equal(applies, RouteTimeout.Applies(TimeSpan.FromMilliseconds(milliseconds)));
}
