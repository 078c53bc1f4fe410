namespace MeshClient.Istio.Tests;

/// <summary>Bounded waits for the tests that watch files: no fixed sleeps.</summary>
internal static class Wait
{
    /// <summary>How long a condition may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits for <paramref name="condition"/>, woken by option changes and re-checked at least every
    /// 100 ms; fails after a bounded timeout. No fixed sleeps.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, SemaphoreSlim signal)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            try
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(100), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The condition was not met within {Timeout.TotalSeconds} s.");
            }
        }
    }
}
