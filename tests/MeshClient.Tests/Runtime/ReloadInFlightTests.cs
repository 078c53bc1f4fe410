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

    [Fact]
    public async Task Reload_EndpointsChurnUnderConcurrentTraffic_NoRequestHitsAClosedPoolAndEveryDroppedPoolCloses()
    {
        var pools = new List<PoolHandler>();
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterHandlerFactory((_, target) =>
        {
            var pool = new PoolHandler(target.Authority ?? "passthrough");
            lock (pools)
            {
                pools.Add(pool);
            }

            return pool;
        }));
        var generation = 0;
        var source = new ManualChangeTokenSource();
        services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(source);
        services.AddMesh(options =>
        {
            // Each generation keeps one endpoint of the previous one and replaces the other two.
            var g = Volatile.Read(ref generation);
            var service = new ExternalServiceOptions();
            service.Hosts.Add("api.example.com");
            MeshHarness.Static(service, 80, $"10.0.{g % 250}.1", $"10.0.{(g + 1) % 250}.1", "10.9.9.9");
            options.ExternalServices.Add(service);
        });
        services.ConfigureHttpClientDefaults(b => b.AddMeshHandlers());
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var stop = new CancellationTokenSource();
        var completed = 0;

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var sent = 0;
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Interlocked.Increment(ref completed);
                sent++;
            }

            return sent;
        })).ToArray();
        var started = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < 200; i++)
        {
            // Interleave: each reload waits for some traffic on the previous generation.
            while (Volatile.Read(ref completed) < 4 * i)
            {
                Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "the workers stalled");
                await Task.Yield();
            }

            Interlocked.Increment(ref generation);
            source.Fire();
        }

        await stop.CancelAsync();
        var total = (await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).Sum();

        Assert.True(total >= 4 * 199, $"only {total} requests were sent across the reloads");
        PoolHandler[] all;
        lock (pools)
        {
            all = [.. pools];
        }

        Assert.All(all, p => Assert.Equal(0, p.SentAfterClose));
        var live = provider.GetRequiredService<MeshClient.Runtime.MeshRuntime>().GetClusters().Single().Endpoints.Select(e => e.Authority).ToHashSet();
        Assert.All(all.Where(p => p.Target != "passthrough" && !live.Contains(p.Target)), p => Assert.True(p.Closed, $"the pool of dropped endpoint {p.Target} is still open"));
        Assert.Equal(3, all.Count(p => live.Contains(p.Target) && !p.Closed));
    }

    /// <summary>A stand-in connection pool that notices being used after it was closed.</summary>
    private sealed class PoolHandler(string target) : HttpMessageHandler
    {
        private int _closed;
        private int _sentAfterClose;

        public string Target { get; } = target;

        public bool Closed => Volatile.Read(ref _closed) != 0;

        public int SentAfterClose => Volatile.Read(ref _sentAfterClose);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Yield(); // in flight across a reload now and then
            if (Closed)
            {
                Interlocked.Increment(ref _sentAfterClose);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
        }

        protected override void Dispose(bool disposing)
        {
            Volatile.Write(ref _closed, 1);
            base.Dispose(disposing);
        }
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
