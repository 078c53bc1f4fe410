using MeshClient.Routing;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class WeightedScheduleTests
{
    private static int[] Count(WeightedSchedule schedule, int destinations, int picks)
    {
        var counts = new int[destinations];
        for (var i = 0; i < picks; i++)
        {
            counts[schedule.Next()]++;
        }

        return counts;
    }

    [Theory]
    [InlineData(new[] { 80, 20 })]
    [InlineData(new[] { 1, 2, 97 })]
    [InlineData(new[] { 75, 25 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 3, 0, 7 })]
    public void Next_OverEveryFullCycle_GivesEachDestinationExactlyItsWeight(int[] weights)
    {
        var schedule = new WeightedSchedule(weights);
        var total = weights.Sum();

        for (var cycle = 0; cycle < 3; cycle++)
        {
            Assert.Equal(weights, Count(schedule, weights.Length, total));
        }
    }

    [Theory]
    [InlineData(new[] { 80, 20 })]
    [InlineData(new[] { 1, 2, 97 })]
    public void Next_10000Picks_WithinTolerance(int[] weights)
    {
        var counts = Count(new WeightedSchedule(weights), weights.Length, 10_000);

        // The tolerance is zero: 10,000 picks are whole cycles of a smooth schedule.
        for (var i = 0; i < weights.Length; i++)
        {
            Assert.InRange(counts[i], (weights[i] * 100) - 0, (weights[i] * 100) + 0);
        }
    }

    [Fact]
    public void Next_80_20_IsSpreadNotBursty()
    {
        var schedule = new WeightedSchedule([80, 20]);
        var picks = Enumerable.Range(0, 100).Select(_ => schedule.Next()).ToArray();

        // Every window of 5 consecutive picks has exactly one pick of the 20% destination.
        for (var start = 0; start + 5 <= picks.Length; start += 5)
        {
            Assert.Equal(1, picks.Skip(start).Take(5).Count(p => p == 1));
        }

        // Any prefix is within one pick of the exact share.
        for (var n = 1; n <= picks.Length; n++)
        {
            Assert.InRange(picks.Take(n).Count(p => p == 1), (n * 0.2) - 1, (n * 0.2) + 1);
        }
    }

    [Fact]
    public void Next_ZeroWeight_NeverPicked()
    {
        var counts = Count(new WeightedSchedule([0, 5, 0]), 3, 1000);

        Assert.Equal([0, 1000, 0], counts);
    }

    [Fact]
    public void Next_LargeWeightSum_CumulativePathIsExactOverACycle()
    {
        // A sum above the precomputed limit (10,000) takes the counter-modulo-sum path.
        int[] weights = [600_000, 300_000, 100_001];
        var schedule = new WeightedSchedule(weights);

        Assert.Equal(weights, Count(schedule, 3, 1_000_001));
        Assert.Equal(weights, Count(schedule, 3, 1_000_001));
    }

    [Fact]
    public void Next_FromManyThreads_StaysExactOverTheTotal()
    {
        var schedule = new WeightedSchedule([80, 20]);
        var counts = new int[2];

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                Interlocked.Increment(ref counts[schedule.Next()]);
            }
        });

        Assert.Equal([64_000, 16_000], counts);
    }
}
