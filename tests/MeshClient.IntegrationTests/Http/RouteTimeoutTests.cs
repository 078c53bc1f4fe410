using System.Net;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

[Trait("Area", "Routing")]
public sealed class RouteTimeoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SlowKestrelEndpoint_RouteTimeout_Returns504UTAndAbortsTheUpstreamRequest()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await Upstream.StartAsync("slow", handler: async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                await context.Response.WriteAsync("too late", context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        using var mesh = new MeshHost(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (slow.Port, 1));
            s.Route.Timeout = TimeSpan.FromMilliseconds(300);
        }));

        var started = TimeProvider.System.GetTimestamp();
        using var response = await mesh.CreateClient().GetAsync("http://api.example.com/slow", Ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, response.GetMeshResult()!.Flags);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct); // the upstream saw the request cancelled
    }
}
