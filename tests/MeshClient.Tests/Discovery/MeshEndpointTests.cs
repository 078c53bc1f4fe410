using System.Net;
using MeshClient.Discovery;
using MeshClient.Health;
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

        var first = endpoint.Start()!;
        var second = endpoint.Start()!;
        var third = endpoint.Start()!;
        Assert.Equal(3, endpoint.InFlight);
        endpoint.End(first, success: true);
        endpoint.End(second, success: false);
        endpoint.OnEnd(third, AttemptOutcome.Cancelled(0, 0));

        // A cancelled attempt is neither a success nor a failure.
        Assert.Equal((3L, 1L, 1L, 0), (endpoint.Requests, endpoint.Successes, endpoint.Failures, endpoint.InFlight));
    }

    [Fact]
    public void Retire_Idle_ClosesConnectionsAndRefusesNewAttempts()
    {
        var handler = new RecordingHandler();
        var endpoint = Endpoint(handler);

        endpoint.Retire();

        Assert.Equal(1, handler.DisposeCount);
        Assert.Null(endpoint.Start());
        Assert.Equal((0L, 0), (endpoint.Requests, endpoint.InFlight));
        Assert.Equal(1, handler.DisposeCount);
    }

    [Fact]
    public void Retire_WithAttemptInFlight_ClosesConnectionsWhenItEnds()
    {
        var handler = new RecordingHandler();
        var endpoint = Endpoint(handler);
        var pool = endpoint.Start()!;

        endpoint.Retire();
        Assert.Equal(0, handler.DisposeCount);
        endpoint.End(pool, success: true);

        Assert.Equal(1, handler.DisposeCount);
        Assert.Equal(1L, endpoint.Successes);
    }

    private static MeshEndpoint Endpoint(HttpMessageHandler handler) =>
        new(new EndpointDefinition(IPAddress.Loopback, 80, 1, null), new HttpMessageInvoker(handler, disposeHandler: true));
}
