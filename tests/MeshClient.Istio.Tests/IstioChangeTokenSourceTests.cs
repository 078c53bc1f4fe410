using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Istio")]
public sealed class IstioChangeTokenSourceTests
{
    [Fact]
    public void OnFileChanged_BurstOfChanges_SignalsOnceAfterTheDebounce()
    {
        var time = new FakeTimeProvider();
        using var source = new IstioChangeTokenSource([], time, TimeSpan.FromMilliseconds(250), loggerFactory: null);
        var token = source.GetChangeToken();

        source.OnFileChanged();
        time.Advance(TimeSpan.FromMilliseconds(200));
        source.OnFileChanged(); // restarts the debounce
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(token.HasChanged);

        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(token.HasChanged);
        Assert.False(source.GetChangeToken().HasChanged);
        Assert.Equal(string.Empty, source.Name);
    }

    [Fact]
    public void Constructor_PathThatCannotBeWatched_DoesNotThrow()
    {
        using var source = new IstioChangeTokenSource(["/nonexistent-meshclient-folder/mesh.yaml"], new FakeTimeProvider(), TimeSpan.FromMilliseconds(250), loggerFactory: null);

        Assert.False(source.GetChangeToken().HasChanged);
    }

    [Fact]
    public void OnFileChanged_AfterDispose_NeverSignals()
    {
        var time = new FakeTimeProvider();
        var source = new IstioChangeTokenSource([], time, TimeSpan.FromMilliseconds(250), loggerFactory: null);
        var token = source.GetChangeToken();

        source.Dispose();
        source.OnFileChanged();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(token.HasChanged);
        source.Dispose(); // idempotent
    }

    [Fact]
    public void Signal_ListenerThrows_ExceptionDoesNotEscapeTheTimer()
    {
        var time = new FakeTimeProvider();
        using var source = new IstioChangeTokenSource([], time, TimeSpan.FromMilliseconds(250), loggerFactory: null);
        var token = source.GetChangeToken();
        using var registration = token.RegisterChangeCallback(static _ => throw new ObjectDisposedException("MeshRuntime"), null);

        source.OnFileChanged();
        time.Advance(TimeSpan.FromMilliseconds(250)); // would throw here if the exception escaped

        Assert.True(token.HasChanged);
    }
}
