using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MeshClient.Tests.Http;

[Trait("Area", "Routing")]
public sealed class MeshEndpointHandlerTests
{
    private static MeshHarness StaticService(RecordingHandler? handler = null, Action<MeshOptions>? mesh = null) =>
        new(services =>
        {
            services.AddMesh(mesh);
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2");
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin; // these tests follow the order of picks
            });
        }, handler);

    [Fact]
    public async Task Send_StaticService_ConnectsToEndpointWhileUriAndHostKeepTheLogicalHost()
    {
        using var harness = StaticService();
        var client = harness.CreateClient("api.example.com");
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/v1/items?id=7");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("10.0.0.1:443", sent.Target);
        Assert.Equal("https://api.example.com/v1/items?id=7", sent.Uri.OriginalString); // SNI and the certificate name come from it
        Assert.Null(sent.Host); // no Host header needed: the URI carries the logical host
        Assert.Equal(new Uri("https://api.example.com/v1/items?id=7"), request.RequestUri);
        Assert.Null(request.Headers.Host);
        var result = response.GetMeshResult();
        Assert.NotNull(result);
        Assert.Equal(MeshResponseFlags.None, result.Flags);
        Assert.Equal(1, result.Attempts);
        Assert.Equal("10.0.0.1:443", result.Endpoint);
        Assert.Equal("outbound|443||api.example.com", result.Cluster);
        Assert.Equal("api.example.com", result.Service);
    }

    [Fact]
    public async Task Send_NonDefaultPort_UriKeepsPortAndTargetPortIsConnected()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHarness.Static(s, 8080, "10.0.0.1");
            s.Ports[0].TargetPort = 9090;
        }));
        var client = harness.CreateClient();

        using var response = await client.GetAsync("http://api.example.com:8080/x", TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("10.0.0.1:9090", sent.Target);
        Assert.Equal("http://api.example.com:8080/x", sent.Uri.OriginalString); // Host: api.example.com:8080 on the wire
    }

    [Fact]
    public async Task Send_EndpointPortMap_BeatsTargetPort()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHarness.Static(s, 80, "10.0.0.1");
            s.Ports[0].TargetPort = 9090;
            s.Endpoints[0].Ports["http"] = 7070;
        }));

        using var response = await harness.CreateClient().GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal("10.0.0.1:7070", Assert.Single(harness.Handler.Seen).Target);
    }

    [Fact]
    public async Task Send_WildcardStaticService_UriKeepsTheRequestedHost()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("*.example.com", s => MeshHarness.Static(s, 8443, "10.0.0.1")));

        using var response = await harness.CreateClient().GetAsync("https://eu.api.example.com:8443/x", TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("10.0.0.1:8443", sent.Target);
        Assert.Equal("https://eu.api.example.com:8443/x", sent.Uri.OriginalString);
        Assert.Equal("outbound|8443||*.example.com", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public async Task Send_ExplicitHostHeaderOfTheService_IsKept()
    {
        // A Host header naming another service is refused (HostHeaderRoutingTests); one naming the same is sent as written.
        using var harness = StaticService();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.Host = "API.example.com:443";

        using var response = await harness.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("API.example.com:443", Assert.Single(harness.Handler.Seen).Host);
        Assert.Equal("API.example.com:443", request.Headers.Host);
    }

    [Theory]
    [InlineData("3.0", HttpVersionPolicy.RequestVersionExact, "2.0", HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData("3.0", HttpVersionPolicy.RequestVersionOrLower, "2.0", HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData("1.1", HttpVersionPolicy.RequestVersionOrHigher, "2.0", HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData("2.0", HttpVersionPolicy.RequestVersionOrHigher, "2.0", HttpVersionPolicy.RequestVersionExact)]
    [InlineData("2.0", HttpVersionPolicy.RequestVersionExact, "2.0", HttpVersionPolicy.RequestVersionExact)]
    [InlineData("1.1", HttpVersionPolicy.RequestVersionOrLower, "1.1", HttpVersionPolicy.RequestVersionOrLower)]
    public async Task Send_ToEndpoint_NeverAllowsHttp3AndRestoresTheRequest(string version, HttpVersionPolicy policy, string wireVersion, HttpVersionPolicy wirePolicy)
    {
        using var harness = StaticService();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/") { Version = Version.Parse(version), VersionPolicy = policy };

        using var response = await harness.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal((Version.Parse(wireVersion), wirePolicy), (sent.Version, sent.VersionPolicy));
        Assert.Equal((Version.Parse(version), policy), (request.Version, request.VersionPolicy));
    }

    [Fact]
    public async Task Send_Passthrough_KeepsHttp3()
    {
        using var harness = new MeshHarness(services => services.AddMesh());
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://other.example.org/") { Version = System.Net.HttpVersion.Version30, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await harness.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal((System.Net.HttpVersion.Version30, HttpVersionPolicy.RequestVersionExact), (sent.Version, sent.VersionPolicy));
    }

    [Fact]
    public async Task Send_RoundRobin_AlternatesEndpoints()
    {
        using var harness = StaticService();
        var client = harness.CreateClient();

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);
        }

        Assert.Equal(
            ["10.0.0.1:443", "10.0.0.2:443", "10.0.0.1:443", "10.0.0.2:443"],
            harness.Handler.Seen.Select(s => s.Target).ToArray());
    }

    [Fact]
    public async Task Send_ConnectionFailure_Returns503UF()
    {
        using var harness = StaticService(RecordingHandler.Throwing(HttpRequestError.ConnectionError));

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponses.ConnectionFailureBody, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Istio's default policy retries connect failures twice; then retries ran out (URX), as Envoy logs it.
        Assert.Equal("UF,URX", response.Headers.GetValues(MeshResponses.FlagsHeader).Single());
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, response.GetMeshResult()!.Flags);
        Assert.Equal(3, response.GetMeshResult()!.Attempts);
        Assert.Equal(new Uri("https://api.example.com/"), response.RequestMessage!.RequestUri);
    }

    [Fact]
    public async Task Send_ConnectionFailure_LogsWhyAtDebug()
    {
        using var harness = new MeshHarness(
            services =>
            {
                services.AddFakeLogging();
                services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
                services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
            },
            RecordingHandler.Throwing(HttpRequestError.ConnectionError));

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);

        var record = harness.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Single(r => r.Message.StartsWith("Upstream failure", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Debug, record.Level);
        Assert.Equal("Upstream failure UF,URX on outbound|443||api.example.com endpoint 10.0.0.1:443: simulated ConnectionError", record.Message);
        Assert.IsType<HttpRequestException>(record.Exception);
    }

    [Fact]
    public async Task Send_ResponseEnded_Returns503UC()
    {
        using var harness = StaticService(RecordingHandler.Throwing(HttpRequestError.ResponseEnded));

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.UpstreamConnectionTermination, response.GetMeshResult()!.Flags);
    }

    [Fact]
    public async Task Send_ConnectionFailureInThrowMode_ThrowsTypedException()
    {
        using var harness = StaticService(RecordingHandler.Throwing(HttpRequestError.ConnectionError), m => m.FailureMode = MeshFailureMode.Throw);

        var exception = await Assert.ThrowsAsync<MeshUpstreamException>(
            () => harness.CreateClient().GetAsync("https://api.example.com/", TestContext.Current.CancellationToken));

        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, exception.Flags);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exception.StatusCode);
        Assert.Contains(exception.Endpoint, new[] { "10.0.0.1:443", "10.0.0.2:443" }); // the last of the 3 attempts
        Assert.IsType<HttpRequestException>(exception.InnerException);
    }

    [Fact]
    public async Task Send_StaticWithoutEndpoints_Returns503UH()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443)));

        using var response = await harness.CreateClient().GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("no healthy upstream", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(MeshResponseFlags.NoHealthyUpstream, response.GetMeshResult()!.Flags);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task Send_CallerCancels_PropagatesPromptly()
    {
        var started = new TaskCompletionSource();
        var handler = new RecordingHandler(async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var harness = StaticService(handler);
        using var cts = new CancellationTokenSource();

        var call = harness.CreateClient().GetAsync("https://api.example.com/", cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var endpoint = harness.Runtime.GetClusters().Single().Endpoints[0];
        Assert.Equal(0, endpoint.InFlight);
    }
}
