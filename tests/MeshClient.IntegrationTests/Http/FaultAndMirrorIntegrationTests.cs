using System.Net;
using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Http;

/// <summary>VirtualService <c>mirror</c> and <c>fault</c> on real Kestrel servers on 127.0.0.1.</summary>
[Trait("Area", "Routing")]
public sealed class FaultAndMirrorIntegrationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRouteDestinationOptions ToApi() => new() { Destination = new DestinationOptions { Host = "api.example.com" } };

    /// <summary>api.example.com:80 on <paramref name="upstream"/> with <paramref name="routes"/>, plus, with <paramref name="mirror"/>, shadow.example.com:80 on it.</summary>
    private static MeshHost Mesh(Upstream upstream, Upstream? mirror, params HttpRouteOptions[] routes) => new(services =>
    {
        services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHost.Static(s, 80, "http", (upstream.Port, 1));
            foreach (var route in routes)
            {
                s.Http.Add(route);
            }
        });
        if (mirror is not null)
        {
            services.AddMeshExternalService("shadow.example.com", s => MeshHost.Static(s, 80, "http", (mirror.Port, 1)));
        }
    });

    [Fact]
    public async Task Mirror_SlowMirrorGetsTheCopyWithTheHostKept_TheCallerGetsThePrimaryAnswerWithoutWaiting()
    {
        var mirrorReached = new TaskCompletionSource<(string Method, string Path, string Host, string Body, bool Authorization)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseMirror = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var primary = await Upstream.StartAsync("primary");
        await using var mirror = await Upstream.StartAsync("mirror", handler: async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            mirrorReached.TrySetResult((context.Request.Method, context.Request.Path.Value ?? "", context.Request.Host.Value ?? "", body, context.Request.Headers.ContainsKey("Authorization")));
            await releaseMirror.Task.WaitAsync(context.RequestAborted); // a slow mirror: answers only when the test lets it
            context.Response.StatusCode = 500; // and its answer is discarded anyway
        });
        var route = new HttpRouteOptions { Route = { ToApi() }, Mirror = new DestinationOptions { Host = "shadow.example.com" } };
        using var mesh = Mesh(primary, mirror, route);
        var client = mesh.CreateClient();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "http://api.example.com/orders") { Content = new StringContent("{\"id\":1}") };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret");

            // The mirror holds its copy until released below: the caller's answer must not wait for it.
            using var response = await client.SendAsync(request, Ct).WaitAsync(Bound, Ct);
            var copy = await mirrorReached.Task.WaitAsync(Bound, Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("primary", await response.Content.ReadAsStringAsync(Ct));
            Assert.False(releaseMirror.Task.IsCompleted);
            Assert.Equal(MeshResponseFlags.None, response.GetMeshResult()!.Flags);
            Assert.Equal(("POST", "/orders", "{\"id\":1}"), (copy.Method, copy.Path, copy.Body));
            // Istio turns Envoy's "-shadow" suffix off (DISABLE_SHADOW_HOST_SUFFIX, ISTIO-SEMANTICS.md §2.5): the copy keeps the Host.
            Assert.Equal("api.example.com", copy.Host);
            Assert.False(copy.Authorization); // a mirror on another host gets no credentials
            Assert.Equal(1, primary.Requests);
            Assert.Equal(1, mesh.Runtime.Mirrors.InFlight);
        }
        finally
        {
            releaseMirror.TrySetResult();
        }

        await Upstream.WaitUntilAsync(() => mesh.Runtime.Mirrors.InFlight == 0 && mesh.Runtime.Mirrors.Sent == 1, Bound, "the mirror's copy to end");
        Assert.Equal(1, mirror.Requests);
    }

    [Fact]
    public async Task FaultAbort503_AllRequests_NeverReachTheUpstream_OnlyTheMatchingRoute()
    {
        await using var upstream = await Upstream.StartAsync("api");
        var faulty = new HttpRouteOptions
        {
            Route = { ToApi() },
            Fault = new HttpFaultInjectionOptions { Abort = new HttpFaultAbortOptions { HttpStatus = 503, Percentage = 100 } },
        };
        faulty.Match.Add(new HttpMatchOptions { Uri = StringMatchOptions.ForPrefix("/faulty") });
        using var mesh = Mesh(upstream, null, faulty, new HttpRouteOptions { Route = { ToApi() } });
        var client = mesh.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var aborted = await client.GetAsync("http://api.example.com/faulty/item", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, aborted.StatusCode);
            Assert.Equal(MeshResponseFlags.FaultInjected, aborted.GetMeshResult()!.Flags);
            Assert.Equal(0, aborted.GetMeshResult()!.Attempts);
        }

        Assert.Equal(0, upstream.Requests); // counted at the server: no abort left the process

        using var passed = await client.GetAsync("http://api.example.com/other", Ct);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal(1, upstream.Requests);
    }

    [Fact]
    public async Task FaultFixedDelay_DelaysTheRequest_ThenItReachesTheUpstream()
    {
        var delay = TimeSpan.FromMilliseconds(500);
        await using var upstream = await Upstream.StartAsync("api");
        var route = new HttpRouteOptions
        {
            Route = { ToApi() },
            Fault = new HttpFaultInjectionOptions { Delay = new HttpFaultDelayOptions { FixedDelay = delay, Percentage = 100 } },
        };
        using var mesh = Mesh(upstream, null, route);

        var started = TimeProvider.System.GetTimestamp();
        using var response = await mesh.CreateClient().GetAsync("http://api.example.com/", Ct).WaitAsync(Bound, Ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("api", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(MeshResponseFlags.DelayInjected, response.GetMeshResult()!.Flags);
        Assert.Equal(1, upstream.Requests);
        Assert.InRange(elapsed, delay - TimeSpan.FromMilliseconds(20), Bound); // at least the delay (timer granularity aside); the upper bound only stops a hang
    }
}
