using System.Net;
using MeshClient.Discovery;
using MeshClient.Model;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Discovery;

[Trait("Area", "Discovery")]
public sealed class MeshEndpointTests
{
    [Fact]
    public void Counters_TrackStartAndEnd()
    {
        var endpoint = Endpoint(new RecordingHandler());

        Assert.True(endpoint.TryStart());
        Assert.True(endpoint.TryStart());
        Assert.Equal(2, endpoint.InFlight);
        endpoint.OnEnd(success: true);
        endpoint.OnEnd(success: false);

        Assert.Equal((2L, 1L, 1L, 0), (endpoint.Requests, endpoint.Successes, endpoint.Failures, endpoint.InFlight));
    }

    [Fact]
    public void Retire_Idle_ClosesConnectionsAndRefusesNewAttempts()
    {
        var handler = new RecordingHandler();
        var endpoint = Endpoint(handler);

        endpoint.Retire();

        Assert.Equal(1, handler.DisposeCount);
        Assert.False(endpoint.TryStart());
        Assert.Equal((0L, 0), (endpoint.Requests, endpoint.InFlight));
        Assert.Equal(1, handler.DisposeCount);
    }

    [Fact]
    public void Retire_WithAttemptInFlight_ClosesConnectionsWhenItEnds()
    {
        var handler = new RecordingHandler();
        var endpoint = Endpoint(handler);
        Assert.True(endpoint.TryStart());

        endpoint.Retire();
        Assert.Equal(0, handler.DisposeCount);
        endpoint.OnEnd(success: true);

        Assert.Equal(1, handler.DisposeCount);
        Assert.Equal(1L, endpoint.Successes);
    }

    private static MeshEndpoint Endpoint(HttpMessageHandler handler) =>
        new(new EndpointDefinition(IPAddress.Loopback, 80, 1, null), new HttpMessageInvoker(handler, disposeHandler: true));
}
