using System.Net;
using MeshClient.Connections;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MeshClient.Tests.Runtime;

[Trait("Area", "Reliability")]
public sealed class MeshRuntimeDisposalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Send_AfterTheRuntimeIsDisposed_FailsPromptlyWithObjectDisposed()
    {
        var harness = new MeshHarness(services => services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1")));
        var client = harness.CreateClient();
        using (await client.GetAsync("https://api.example.com/", Ct))
        {
        }

        harness.Dispose();

        // Before the fix the attempt spun forever on the retired endpoint.
        var exception = await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAsync("https://api.example.com/", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Contains("disposed", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_InFlightWhileTheRuntimeIsDisposed_Completes()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>();
        var reached = new TaskCompletionSource();
        var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1")),
            new RecordingHandler((_, _) =>
            {
                reached.TrySetResult();
                return release.Task;
            }));
        var call = harness.CreateClient().GetAsync("https://api.example.com/", Ct);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var endpoint = harness.Runtime.GetClusters().Single().Endpoints[0];

        harness.Dispose();
        Assert.False(endpoint.Pool.IsClosed); // its attempt is still running
        release.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(endpoint.Pool.IsClosed); // closed once the attempt ended
    }

    [Fact]
    public async Task Reload_ClusterBuildThrows_LoggedAndTheLastGoodStateKept()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "a.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "STATIC",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.1",
        }).Build();
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(new ClusterHandlerFactory((_, target) => target.Authority == "10.0.0.9:443"
            ? throw new InvalidOperationException("simulated failure while building a connection pool")
            : new RecordingHandler()));
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<MeshClient.Runtime.MeshRuntime>();
        var before = runtime.State;

        // Before the fix the exception escaped into the configuration's change notification.
        configuration["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.9";
        configuration.Reload();

        Assert.Same(before, runtime.State);
        Assert.Equal("10.0.0.1:443", runtime.GetClusters().Single().Endpoints[0].Authority);
        var log = provider.GetRequiredService<FakeLogCollector>().GetSnapshot().Single(r => r.Level == LogLevel.Error);
        Assert.Contains("could not be applied", log.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(log.Exception);

        // A later good change still applies.
        configuration["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.2";
        configuration.Reload();
        Assert.Equal("10.0.0.2:443", runtime.GetClusters().Single().Endpoints[0].Authority);
        await Task.CompletedTask;
    }
}
