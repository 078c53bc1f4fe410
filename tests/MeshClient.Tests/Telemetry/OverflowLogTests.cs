using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Telemetry;

[Trait("Area", "Telemetry")]
public sealed class OverflowLogTests
{
    [Fact]
    public void ShouldLog_OncePerIntervalPerCluster_ThenCountsTheOthers()
    {
        var time = new FakeTimeProvider();
        var log = new OverflowLog(time);
        using var a = new Cluster(MeshSnapshot.PassthroughDefinition());

        Assert.True(log.ShouldLog(a, out var suppressed));
        Assert.Equal(0, suppressed);
        Assert.False(log.ShouldLog(a, out _));
        Assert.False(log.ShouldLog(a, out _));

        time.Advance(OverflowLog.Interval);
        Assert.True(log.ShouldLog(a, out suppressed));
        Assert.Equal(2, suppressed);
    }
}
