using System.Diagnostics;
using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Runtime;
using MeshClient.Tool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace MeshClient.Istio.Tests;

/// <summary>Issue 20, defects 1 and 2: a configuration file can neither crash nor hang the application.</summary>
[Trait("Area", "Reliability")]
public sealed class IstioInputLimitsTests
{
    private static readonly TimeSpan Timeout = Wait.Timeout;

    private static readonly string ServiceA = IstioYaml.ServiceEntry("a", "a.example.com", endpoints: ["10.0.0.1"]);

    [Fact]
    public void LoadYaml_30000NestedBrackets_ErrorNamingTheFileInsteadOfAStackOverflow()
    {
        var result = IstioConfigurationLoader.LoadYaml(new string('[', 30_000), "deep.yaml");

        Assert.Equal(
            "Error [deep.yaml:1:101] YAML nesting is deeper than 100 levels (IstioLoaderOptions.MaxNestingDepth); the file is not read.",
            Assert.Single(result.Diagnostics).ToString());
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void LoadYaml_NestingAtTheLimit_IsRead()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: " + new string('[', 99) + new string(']', 99) + "\n";

        var result = IstioConfigurationLoader.LoadYaml(yaml, "ok.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal(IstioResourceStatus.Ignored, Assert.Single(result.Resources).Status);
    }

    [Fact]
    public void LoadYaml_MoreDocumentsThanTheLimit_RejectedAsAWhole()
    {
        var yaml = string.Concat(Enumerable.Repeat("---\n{}\n", 10_001));

        var result = IstioConfigurationLoader.LoadYaml(yaml, "many.yaml");

        Assert.Equal(
            "Error [many.yaml:20001:1] the file holds more than 10000 YAML documents (IstioLoaderOptions.MaxDocumentsPerFile); it is not read.",
            Assert.Single(result.Diagnostics).ToString());
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void Load_FileOverMaxFileSize_RejectedNamingTheFileAndItsSize()
    {
        using var folder = new TempFolder();
        var file = folder.Write("big.yaml", ServiceA + "# " + new string('x', 4096) + "\n");
        var size = new FileInfo(file).Length;

        var result = IstioConfigurationLoader.Load([file], new IstioLoaderOptions { MaxFileSize = 4096 });

        Assert.Equal(
            $"Error [{file}] the file is {size} bytes, more than the limit of 4096 bytes (IstioLoaderOptions.MaxFileSize); it is not read.",
            Assert.Single(result.Diagnostics).ToString());
        Assert.Empty(result.Options.ExternalServices);
    }

    [Fact]
    public void LoadYaml_FiveMegabyteScalar_RejectedByTheDefaultSizeLimit()
    {
        var yaml = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a}\nspec: {hosts: [" + new string('a', 5 * 1024 * 1024) + "]}\n";

        var result = IstioConfigurationLoader.LoadYaml(yaml, "huge.yaml");

        Assert.StartsWith("Error [huge.yaml] the file is ", Assert.Single(result.Diagnostics).ToString(), StringComparison.Ordinal);
        Assert.EndsWith(" bytes, more than the limit of 4194304 bytes (IstioLoaderOptions.MaxFileSize); it is not read.", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_ManySmallAliasBombs_RejectedByOneBudgetPerFile()
    {
        // Each document expands to 100,000 nodes: within any per-document budget, 40 of them are not.
        var bomb = new System.Text.StringBuilder("---\nx: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 5; i++)
        {
            bomb.Append(System.Globalization.CultureInfo.InvariantCulture, $"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var result = IstioConfigurationLoader.LoadYaml(string.Concat(Enumerable.Repeat(bomb.ToString(), 60)), "bombs.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.EndsWith("takes the file over 4000000 YAML nodes (anchors and aliases count each time they are used); the file is not read.", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void Run_DeeplyNestedFile_ValidateReportsTheFileAndExitsWithErrors()
    {
        using var folder = new TempFolder();
        var file = folder.Write("deep.yaml", new string('[', 30_000));

        var run = ToolRun.Validate(file);

        Assert.Equal(Program.ErrorsFound, run.Code);
        Assert.StartsWith($"Error [{file}:1:101] YAML nesting is deeper than 100 levels", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddIstioConfiguration_DeeplyNestedFileAppears_RejectedAndTheLastGoodConfigurationStays()
    {
        using var folder = new TempFolder();
        folder.Write("a.yaml", ServiceA);
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        services.AddMesh().AddIstioConfiguration(folder.Path);
        using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<MeshRuntime>();
        var logs = provider.GetRequiredService<FakeLogCollector>();
        var changed = new SemaphoreSlim(0); // not disposed: a change already in flight may still release it after the test
        using var subscription = provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().OnChange(_ => changed.Release());
        var snapshot = runtime.State.Snapshot;

        var deep = folder.Write("deep.yaml", new string('[', 30_000));
        await Wait.UntilAsync(() => logs.GetSnapshot().Any(r => r.Message.StartsWith("Mesh configuration change rejected", StringComparison.Ordinal)), changed);

        var rejected = logs.GetSnapshot().Single(r => r.Message.StartsWith("Mesh configuration change rejected", StringComparison.Ordinal));
        Assert.Contains($"{deep}:1:101: YAML nesting is deeper than 100 levels", rejected.Message, StringComparison.Ordinal);
        Assert.Same(snapshot, runtime.State.Snapshot);
        Assert.NotNull(runtime.FindCluster(new ClusterKey("a.example.com", 80)));
    }

    [Fact]
    public async Task Load_FifoInFolder_SkippedWithAWarningWithoutBlocking()
    {
        using var folder = new TempFolder();
        folder.Write("a.yaml", ServiceA);
        var fifo = MakeFifo(folder, "b.yaml");

        var result = await Task.Run(() => IstioConfigurationLoader.Load([folder.Path])).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(
            $"Warning [{fifo}] the file is empty or is not a regular file (FIFOs, sockets and devices report no length); it is skipped.",
            warning.ToString());
        Assert.Equal("a.example.com", Assert.Single(Assert.Single(result.Options.ExternalServices).Hosts));
    }

    [Fact]
    public async Task Run_FifoNamedDirectly_ValidateDoesNotHang()
    {
        using var folder = new TempFolder();
        var fifo = MakeFifo(folder, "pipe.yaml");

        var run = await Task.Run(() => ToolRun.Validate(fifo)).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(Program.Success, run.Code);
        Assert.StartsWith($"Warning [{fifo}] the file is empty or is not a regular file", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadWithTimeout_ReadThatBlocks_GivenUpAfterTheTimeout()
    {
        // The length check keeps FIFOs out; this is the net under it (a file swapped for a FIFO after the check).
        using var folder = new TempFolder();
        var fifo = MakeFifo(folder, "swapped.yaml");
        var builder = new IstioLoadBuilder();

        var text = await Task.Run(() => IstioFileReader.ReadWithTimeout(builder, "swapped.yaml", fifo, new IstioLoaderOptions { ReadTimeout = TimeSpan.FromMilliseconds(200) }))
            .WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Null(text);
        Assert.Equal(
            "Error [swapped.yaml] the file could not be read within 0.2 s (IstioLoaderOptions.ReadTimeout); only regular files are read. The read is abandoned.",
            Assert.Single(builder.Diagnostics).ToString());

        // Release the abandoned reader: opening the write end lets its open() return, closing it gives EOF.
        await using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
        }
    }

    private static string MakeFifo(TempFolder folder, string name)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Skip("FIFOs need a Unix file system.");
        }

        var path = Path.Combine(folder.Path, name);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        Assert.True(mkfifo.WaitForExit(Timeout), "mkfifo did not finish.");
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
