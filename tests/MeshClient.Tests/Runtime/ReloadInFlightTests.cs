using System.Net;
using MeshClient.Configuration;
using MeshClient.Connections;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Runtime;

[Trait("Area", "Reliability")]
public sealed class ReloadInFlightTests
{
    [Fact]
    public async Task Reload_RemovesClusterWithRequestInFlight_RequestFinishesThenConnectionsAreDisposed()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var handlers = new List<TrackingHandler>();
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((definition, _) =>
        {
            var handler = new TrackingHandler(definition.Key.Host, async () =>
            {
                entered.TrySetResult();
                await release.Task;
            });
            lock (handlers)
            {
                handlers.Add(handler);
            }

            return handler;
        }));
        var source = new ManualChangeTokenSource();
        services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(source);
        var useB = false;
        services.AddMesh(options =>
        {
            var service = new ExternalServiceOptions();
            service.Hosts.Add(useB ? "b.example.com" : "a.example.com");
            MeshHarness.Static(service, 80, "10.0.0.1");
            options.ExternalServices.Add(service);
        });
        services.ConfigureHttpClientDefaults(b => b.AddMeshHandlers());
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient();

        var inFlight = client.GetAsync("http://a.example.com/slow", TestContext.Current.CancellationToken);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        useB = true;
        source.Fire();
        var a = handlers.Single(h => h.Host == "a.example.com");

        Assert.False(a.Disposed);
        using (var other = await client.GetAsync("http://b.example.com/", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode); // the new snapshot routes b
        }

        release.SetResult();
        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("outbound|80||a.example.com", response.GetMeshResult()!.Cluster);
        Assert.True(a.Disposed);
    }

    private sealed class TrackingHandler(string host, Func<Task> onSend) : HttpMessageHandler
    {
        public string Host { get; } = host;

        public bool Disposed { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == "/slow")
            {
                await onSend();
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class ManualChangeTokenSource : IOptionsChangeTokenSource<MeshOptions>
    {
        private Microsoft.Extensions.Primitives.CancellationChangeToken _token = new(new CancellationToken());
        private CancellationTokenSource _cts = new();

        public ManualChangeTokenSource() => _token = new(_cts.Token);

        public string? Name => Microsoft.Extensions.Options.Options.DefaultName;

        public Microsoft.Extensions.Primitives.IChangeToken GetChangeToken() => _token;

        public void Fire()
        {
            var old = _cts;
            _cts = new CancellationTokenSource();
            _token = new(_cts.Token);
            old.Cancel();
        }
    }
}
