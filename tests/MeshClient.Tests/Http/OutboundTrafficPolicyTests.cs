using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MeshClient.Tests.Http;

[Trait("Area", "Routing")]
public sealed class OutboundTrafficPolicyTests
{
    private static MeshHarness Mesh(OutboundTrafficPolicy policy, MeshFailureMode mode = MeshFailureMode.Response) =>
        new(services =>
        {
            services.AddMesh(m =>
            {
                m.OutboundTrafficPolicy = policy;
                m.FailureMode = mode;
            });
            services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
            services.ConfigureHttpClientDefaults(b => b.AddMeshHandlers());
        });

    [Fact]
    public async Task RegistryOnly_UnknownHost_Returns502NamingHost()
    {
        using var harness = Mesh(OutboundTrafficPolicy.RegistryOnly);

        using var response = await harness.CreateClient().GetAsync("https://evil.example.org/steal", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("evil.example.org", response.Headers.GetValues(MeshResponses.BlockedHostHeader).Single());
        Assert.Equal(
            "Request to 'evil.example.org:443' blocked: the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. Declare it with services.AddMeshExternalService(\"evil.example.org\", ...) or a ServiceEntry, or set OutboundTrafficPolicy to AllowAny.",
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var result = response.GetMeshResult()!;
        Assert.Equal(MeshResponseFlags.NoRouteFound, result.Flags);
        Assert.Equal("NR", result.Flags.ToEnvoyString());
        Assert.Same(result.Flags.ToEnvoyString(), MeshResponseFlags.NoRouteFound.ToEnvoyString()); // made once: a metric label
        Assert.Equal("BlackHoleCluster", result.Cluster);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task RegistryOnly_UnknownHost_LogsHostAndHowToAllowItOnce()
    {
        using var harness = new MeshHarness(services =>
        {
            services.AddFakeLogging();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
            services.AddMesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly);
        });
        var client = harness.CreateClient();

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync("http://evil.example.org/", TestContext.Current.CancellationToken);
        }

        var logs = harness.Services.GetRequiredService<FakeLogCollector>().GetSnapshot()
            .Where(r => r.Category == typeof(MeshClient.Runtime.MeshRuntime).FullName)
            .ToArray();
        Assert.Equal(2, logs.Length);
        Assert.Equal(LogLevel.Warning, logs[0].Level);
        Assert.Equal(
            "Blocked a request to 'evil.example.org:80': the outbound traffic policy is REGISTRY_ONLY and no external service declares this host and port. To allow it, declare it with services.AddMeshExternalService(\"evil.example.org\", ...) or a ServiceEntry listing port 80, or set MeshOptions.OutboundTrafficPolicy to AllowAny.",
            logs[0].Message);
        Assert.Equal(LogLevel.Debug, logs[1].Level);
    }

    [Fact]
    [Trait("Area", "Reliability")]
    public async Task RegistryOnly_Ipv6Host_LoggedWithBrackets()
    {
        using var harness = new MeshHarness(services =>
        {
            services.AddFakeLogging();
            services.AddMesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly);
        });

        using var response = await harness.CreateClient().GetAsync("http://[::1]:38447/", TestContext.Current.CancellationToken);

        var log = harness.Services.GetRequiredService<FakeLogCollector>().GetSnapshot()
            .Single(r => r.Category == typeof(MeshClient.Runtime.MeshRuntime).FullName);
        Assert.StartsWith("Blocked a request to '[::1]:38447':", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistryOnly_DeclaredHostOtherPort_Blocked()
    {
        using var harness = Mesh(OutboundTrafficPolicy.RegistryOnly);

        using var response = await harness.CreateClient().GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(harness.Handler.Seen);
    }

    [Fact]
    public async Task RegistryOnly_ThrowMode_ThrowsNoRouteException()
    {
        using var harness = Mesh(OutboundTrafficPolicy.RegistryOnly, MeshFailureMode.Throw);

        var exception = await Assert.ThrowsAsync<MeshNoRouteException>(
            () => harness.CreateClient("other").GetAsync("https://evil.example.org:8443/", TestContext.Current.CancellationToken));

        Assert.Equal("evil.example.org", exception.Host);
        Assert.Equal(8443, exception.Port);
        Assert.Equal(HttpStatusCode.BadGateway, exception.StatusCode);
        Assert.Equal(MeshResponseFlags.NoRouteFound, exception.Flags);
    }

    [Fact]
    public async Task AllowAny_UnknownHost_PassesThroughUntouched()
    {
        using var harness = Mesh(OutboundTrafficPolicy.AllowAny);

        using var response = await harness.CreateClient().GetAsync("https://other.example.org:8443/a?b=c", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("https://other.example.org:8443/a?b=c", sent.Uri.OriginalString);
        Assert.Equal("other.example.org:8443", sent.Target);
        Assert.Null(sent.Host);
        var result = response.GetMeshResult()!;
        Assert.Equal("PassthroughCluster", result.Cluster);
        Assert.Null(result.Service);
        Assert.Null(result.Endpoint);
    }

    [Fact]
    public async Task ResolutionNone_SendsToRequestedHost()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("*.example.com", s =>
        {
            s.Ports.Add(new ServicePortOptions(80, "http") { TargetPort = 8080 });
        }));

        using var response = await harness.CreateClient("*.example.com").GetAsync("http://a.b.example.com/x", TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("a.b.example.com:8080", sent.Target); // the targetPort
        Assert.Equal("http://a.b.example.com/x", sent.Uri.AbsoluteUri); // Host: a.b.example.com on the wire
        Assert.Null(sent.Host);
        Assert.Equal("outbound|80||*.example.com", response.GetMeshResult()!.Cluster);
    }

    [Theory]
    [Trait("Area", "Reliability")]
    [InlineData(OutboundTrafficPolicy.RegistryOnly, 1)]
    [InlineData(OutboundTrafficPolicy.AllowAny, 0)]
    public void ClientThatLeftTheMesh_UnderRegistryOnly_LoggedOnce(OutboundTrafficPolicy policy, int expected)
    {
        using var harness = new MeshHarness(services =>
        {
            services.AddFakeLogging();
            services.AddMesh(m => m.OutboundTrafficPolicy = policy);
            services.AddHttpClient("own").ConfigurePrimaryHttpMessageHandler(() => new RecordingHandler()); // after the harness's defaults
        });

        harness.CreateClient("own").Dispose();
        harness.CreateClient("own").Dispose();
        harness.CreateClient("on-the-mesh").Dispose();

        var logs = harness.Services.GetRequiredService<FakeLogCollector>().GetSnapshot()
            .Where(r => r.Message.Contains("bypass the mesh", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(expected, logs.Length);
        if (expected == 1)
        {
            Assert.StartsWith("HttpClient 'own' was put on the mesh (AddMeshHandlers) but its primary handler was replaced afterwards (RecordingHandler)", logs[0].Message, StringComparison.Ordinal);
            Assert.Equal(LogLevel.Warning, logs[0].Level);
        }
    }
}
