using MeshClient.Configuration;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MeshClient.Tests.DependencyInjection;

/// <summary>Issue 20, defect 3: creating a client never waits for a configuration reload.</summary>
[Trait("Area", "Reliability")]
public sealed class MeshExternalServiceReloadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CreateClient_WhileAReloadIsStuck_ReturnsAtOnceWithTheBaseAddress()
    {
        using var gate = new StuckConfiguration();
        var trigger = new ManualChangeTokenSource();
        var services = new ServiceCollection();
        services.AddMeshExternalService("api.example.com", s =>
        {
            s.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
            s.Resolution = ServiceResolution.Static;
            s.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        });
        services.AddSingleton<IConfigureOptions<MeshOptions>>(gate);
        services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(trigger);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        _ = provider.GetRequiredService<MeshRuntime>();

        // A reload starts and gets stuck inside the options pipeline (a slow or hung configuration source).
        gate.Block();
        var reload = Task.Run(trigger.Fire, TestContext.Current.CancellationToken);
        Assert.True(await gate.Entered.WaitAsync(Bound, TestContext.Current.CancellationToken), "The reload did not start.");
        try
        {
            // Before the fix the client read IOptionsMonitor.CurrentValue, which waits for the stuck reload.
            using var client = await Task.Run(() => factory.CreateClient("api.example.com"), TestContext.Current.CancellationToken)
                .WaitAsync(Bound, TestContext.Current.CancellationToken);

            Assert.Equal(new Uri("https://api.example.com/"), client.BaseAddress);
        }
        finally
        {
            gate.Release();
        }

        await reload.WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void CreateClient_AfterAReloadChangesThePort_UsesTheNewSnapshot()
    {
        var trigger = new ManualChangeTokenSource();
        var port = 8080;
        var services = new ServiceCollection();
        services.AddMeshExternalService("api.example.com", s => s.Ports.Add(new ServicePortOptions(port, "http", ServiceProtocol.Http)));
        services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(trigger);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        using var before = factory.CreateClient("api.example.com");

        port = 9090;
        trigger.Fire();
        using var after = factory.CreateClient("api.example.com");

        Assert.Equal(new Uri("http://api.example.com:8080/"), before.BaseAddress);
        Assert.Equal(new Uri("http://api.example.com:9090/"), after.BaseAddress);
    }

    private sealed class StuckConfiguration : IConfigureOptions<MeshOptions>, IDisposable
    {
        private readonly ManualResetEventSlim _released = new(initialState: true);

        public SemaphoreSlim Entered { get; } = new(0);

        public void Block() => _released.Reset();

        public void Release() => _released.Set();

        public void Configure(MeshOptions options)
        {
            if (!_released.IsSet)
            {
                Entered.Release();
                _released.Wait(3 * Bound); // longer than the test waits for the client, bounded so that nothing hangs the run
            }
        }

        public void Dispose()
        {
            _released.Dispose();
            Entered.Dispose();
        }
    }

    private sealed class ManualChangeTokenSource : IOptionsChangeTokenSource<MeshOptions>
    {
        private CancellationTokenSource _changed = new();

        public string Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

        public void Fire() => Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();
    }
}
