using MeshClient.Runtime;

namespace MeshClient.Tests.Runtime;

/// <summary>The process-wide spares of per-request objects (<see cref="SpareObjects{T}"/>).</summary>
[Trait("Area", "Reliability")]
public sealed class SpareObjectsTests
{
    [Fact]
    public void Empty_GivesNothing_AKeptObjectComesBackOnce()
    {
        var spares = new SpareObjects<object>();
        Assert.Null(spares.TryTake());

        var kept = new object();
        Assert.True(spares.TryKeep(kept));
        Assert.Same(kept, spares.TryTake());
        Assert.Null(spares.TryTake());
    }

    [Fact]
    public void Full_DropsWhatIsReturned_AndNeverHandsAnObjectOutTwice()
    {
        var spares = new SpareObjects<object>();
        var kept = new List<object>();
        while (true)
        {
            var spare = new object();
            if (!spares.TryKeep(spare))
            {
                break;
            }

            kept.Add(spare);
            Assert.True(kept.Count <= 4096, "the spares never fill up");
        }

        Assert.True(kept.Count >= 8);
        var taken = new HashSet<object>(ReferenceEqualityComparer.Instance);
        while (spares.TryTake() is { } spare)
        {
            Assert.True(taken.Add(spare));
        }

        Assert.Equal(kept.Count, taken.Count);
    }

    [Fact]
    public async Task ConcurrentTakesAndKeeps_HandEachObjectToOneTakerAtATime()
    {
        var spares = new SpareObjects<Holder>();
        var workers = new Task[4];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(
                () =>
                {
                    for (var i = 0; i < 20_000; i++)
                    {
                        var holder = spares.TryTake() ?? new Holder();
                        Assert.Equal(1, Interlocked.Increment(ref holder.Users)); // nobody else holds it
                        Interlocked.Decrement(ref holder.Users);
                        spares.TryKeep(holder);
                    }
                },
                TestContext.Current.CancellationToken);
        }

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    private sealed class Holder
    {
        public int Users;
    }
}
