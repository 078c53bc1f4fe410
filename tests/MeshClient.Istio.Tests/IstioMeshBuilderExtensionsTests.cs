using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Istio")]
public sealed class IstioMeshBuilderExtensionsTests
{
    private static string Service(string name, string host, string address) => IstioYaml.ServiceEntry(name, host, endpoints: [address]);

    [Fact]
    public void AddIstioConfiguration_NullOrEmptyArguments_Throw()
    {
        var builder = new ServiceCollection().AddMesh();

        Assert.Throws<ArgumentNullException>(() => IstioMeshBuilderExtensions.AddIstioConfiguration(null!, "mesh/"));
        Assert.Throws<ArgumentNullException>(() => builder.AddIstioConfiguration(null!));
        Assert.Throws<ArgumentException>(() => builder.AddIstioConfiguration());
        Assert.Throws<ArgumentException>(() => builder.AddIstioConfiguration("mesh/", " "));
    }

    [Fact]
    public void AddIstioConfiguration_Folder_RuntimeServesTheServicesAndSidecarMode()
    {
        using var folder = new TempFolder();
        folder.Write("a.yaml", Service("a", "a.example.com", "10.0.0.1"));
        folder.Write("sidecar.yml", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default}\nspec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}\n");
        var services = new ServiceCollection();
        services.AddMesh(o => o.OutboundTrafficPolicy = OutboundTrafficPolicy.AllowAny).AddIstioConfiguration(folder.Path);
        using var provider = services.BuildServiceProvider();

        var runtime = provider.GetRequiredService<MeshRuntime>();

        var cluster = runtime.FindCluster(new ClusterKey("a.example.com", 80));
        Assert.NotNull(cluster);
        Assert.Equal("10.0.0.1:80", Assert.Single(cluster.Definition.Endpoints).Authority);
        Assert.Equal(OutboundTrafficPolicy.RegistryOnly, runtime.State.Snapshot.OutboundTrafficPolicy);
    }

    [Fact]
    public async Task AddIstioConfiguration_SidecarRegistryOnly_BlocksUndeclaredHostsInProcess()
    {
        using var folder = new TempFolder();
        folder.Write("mesh.yaml", Service("a", "a.example.com", "10.0.0.1") + IstioYaml.Next + IstioYaml.Sidecar("default", "{outboundTrafficPolicy: {mode: REGISTRY_ONLY}}"));
        var services = new ServiceCollection();
        services.AddMesh().AddIstioConfiguration(folder.Path);
        services.AddHttpClient("app").AddMeshHandlers();
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("app");

        // Blocked before any connection is attempted: no network traffic.
        using var response = await client.GetAsync("http://undeclared.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task AddIstioConfiguration_InvalidFilesAtStart_StartFailsListingEveryError()
    {
        using var folder = new TempFolder();
        var file = folder.Write("bad.yaml", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [\"*\"]\n  ports: [{number: 0, name: http}]\n");
        var missing = Path.Combine(folder.Path, "missing.yaml");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddMesh().AddIstioConfiguration(file, missing);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(
            [
                $"{missing}: no such file or folder.",
                $"{file}:1:1: External service 'bad': hosts[0] hostname cannot be wildcard '*' (declare the domains the service answers for).",
                $"{file}:1:1: External service 'bad': ports[0].number port must be between 1-65535 (was '0').",
            ],
            ex.Failures);
    }

    [Fact]
    public void AddIstioConfiguration_IgnoredKinds_LoggedAtDebugWithTheirNames()
    {
        using var folder = new TempFolder();
        folder.Write("gw.yaml", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: egress, namespace: istio-system}\nspec: {}\n");
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        services.AddMesh().AddIstioConfiguration(folder.Path);
        using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;

        var record = Assert.Single(provider.GetRequiredService<FakeLogCollector>().GetSnapshot(), r => r.Message.Contains("ignored"));
        Assert.Equal(LogLevel.Debug, record.Level);
        Assert.Equal($"Istio configuration: ignored {Path.Join(folder.Path, "gw.yaml")}:1:1 Gateway istio-system/egress: Gateway (networking.istio.io/v1) is not used by MeshClient.", record.Message);
    }

    [Fact]
    public async Task AddIstioConfiguration_ValidThenInvalidThenValidEdit_KeepsTheLastGoodSnapshotThenApplies()
    {
        using var folder = new TempFolder();
        folder.Write("a.yaml", Service("a", "a.example.com", "10.0.0.1"));
        var b = folder.Write("b.yaml", Service("b", "b.example.com", "10.0.0.2"));
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        services.AddMesh().AddIstioConfiguration(folder.Path);
        using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<MeshRuntime>();
        var logs = provider.GetRequiredService<FakeLogCollector>();
        var changed = new SemaphoreSlim(0); // not disposed: a change already in flight may still release it after the test
        using var subscription = provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().OnChange(_ => changed.Release());
        var clusterA = runtime.FindCluster(new ClusterKey("a.example.com", 80))!;
        var definitionA = clusterA.Definition;
        var clusterB = runtime.FindCluster(new ClusterKey("b.example.com", 80))!;
        var snapshot = runtime.State.Snapshot;

        // Invalid edit: two errors in one file. The runtime logs both and keeps the last good snapshot.
        File.WriteAllText(b, Service("b", "b.example.com", "not-an-ip").Replace("number: 80", "number: 70000"));
        await Wait.UntilAsync(() => logs.GetSnapshot().Any(r => r.Message.StartsWith("Mesh configuration change rejected", StringComparison.Ordinal)), changed);

        var rejected = logs.GetSnapshot().Single(r => r.Message.StartsWith("Mesh configuration change rejected", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, rejected.Level);
        Assert.Contains($"{b}:1:1: External service 'b': ports[0].number port must be between 1-65535 (was '70000').", rejected.Message);
        Assert.Contains($"{b}:1:1: External service 'b': endpoints[0].address endpoint address 'not-an-ip' is not a valid IP address", rejected.Message);
        Assert.Same(snapshot, runtime.State.Snapshot);
        Assert.Same(clusterB, runtime.FindCluster(new ClusterKey("b.example.com", 80)));

        // Valid edit: b moves to another endpoint; a is unchanged and keeps its live cluster as is.
        File.WriteAllText(b, Service("b", "b.example.com", "10.0.0.3"));
        await Wait.UntilAsync(() => runtime.FindCluster(new ClusterKey("b.example.com", 80))?.Definition.Endpoints is [{ Authority: "10.0.0.3:80" }], changed);

        Assert.NotSame(snapshot, runtime.State.Snapshot);
        Assert.Same(clusterA, runtime.FindCluster(new ClusterKey("a.example.com", 80)));
        Assert.Same(definitionA, clusterA.Definition);
        Assert.Same(clusterB, runtime.FindCluster(new ClusterKey("b.example.com", 80)));
        Assert.False(clusterA.IsRetired);
    }

    [Fact]
    public async Task AddIstioConfiguration_NewFileInWatchedFolder_ServiceAdded()
    {
        using var folder = new TempFolder();
        folder.Write("a.yaml", Service("a", "a.example.com", "10.0.0.1"));
        var services = new ServiceCollection();
        services.AddMesh().AddIstioConfiguration(folder.Path);
        using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<MeshRuntime>();
        var changed = new SemaphoreSlim(0); // not disposed: a change already in flight may still release it after the test
        using var subscription = provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().OnChange(_ => changed.Release());

        folder.Write("c.yml", Service("c", "c.example.com", "10.0.0.9"));
        await Wait.UntilAsync(() => runtime.FindCluster(new ClusterKey("c.example.com", 80)) is not null, changed);

        Assert.NotNull(runtime.FindCluster(new ClusterKey("a.example.com", 80)));
    }
}
