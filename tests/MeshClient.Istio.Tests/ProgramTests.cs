using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Istio")]
public sealed class ProgramTests
{
    private const string ValidServiceEntry = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: api, namespace: default}\nspec:\n  hosts: [api.example.com]\n  ports: [{number: 443, name: https, protocol: HTTPS}]\n";

    [Theory]
    [InlineData(new string[0], "meshclient: missing command.")]
    [InlineData(new[] { "analyze", "x.yaml" }, "meshclient: unknown command 'analyze'.")]
    [InlineData(new[] { "validate" }, "meshclient validate: at least one file or folder is required.")]
    public void Run_UsageErrors_ReturnTwoWithUsage(string[] args, string expected)
    {
        var (code, output, error) = ToolRun.Run(args);

        Assert.Equal(Program.UsageError, code);
        Assert.Empty(output);
        Assert.StartsWith(expected, error);
        Assert.Contains("Usage: meshclient validate [options] <file|folder>...", error);
    }

    [Theory]
    [InlineData(new[] { "validate", "--max-file-size" }, "meshclient validate: option '--max-file-size' needs a value.")]
    [InlineData(new[] { "validate", "--max-file-size", "0", "x.yaml" }, "meshclient validate: option '--max-file-size' needs a positive whole number (was '0').")]
    [InlineData(new[] { "validate", "--max-documents", "-5", "x.yaml" }, "meshclient validate: option '--max-documents' needs a positive whole number (was '-5').")]
    [InlineData(new[] { "validate", "--max-nesting-depth", "99999999999", "x.yaml" }, "meshclient validate: option '--max-nesting-depth' is too large (was '99999999999').")]
    [InlineData(new[] { "validate", "--recursive", "1", "x.yaml" }, "meshclient validate: unknown option '--recursive'.")]
    [InlineData(new[] { "validate", "--read-timeout", "5" }, "meshclient validate: at least one file or folder is required.")]
    public void Run_BadOptions_ReturnTwoWithUsage(string[] args, string expected)
    {
        var (code, output, error) = ToolRun.Run(args);

        Assert.Equal(Program.UsageError, code);
        Assert.Empty(output);
        Assert.StartsWith(expected, error);
        Assert.Contains("--max-file-size <bytes>", error);
    }

    [Fact]
    public void Run_LimitOptions_AppliedAsTheApplicationWould()
    {
        using var folder = new TempFolder();
        var file = folder.Write("se.yaml", ValidServiceEntry);
        var two = folder.Write("two.yaml", ValidServiceEntry + "---\n" + ValidServiceEntry.Replace("name: api,", "name: api2,"));

        var (tooSmall, tooSmallOutput, _) = ToolRun.Run(["validate", "--max-file-size", "64", file]);
        var (tooShallow, tooShallowOutput, _) = ToolRun.Run(["validate", "--max-nesting-depth", "2", file]);
        var (fewDocuments, fewDocumentsOutput, _) = ToolRun.Run(["validate", "--max-documents", "1", two]);
        var (fits, fitsOutput, _) = ToolRun.Run(["validate", "--max-file-size", "100000", "--max-nesting-depth", "20", "--max-documents", "2", "--read-timeout", "30", file, two]);

        Assert.Equal(Program.ErrorsFound, tooSmall);
        Assert.Contains($"more than the limit of 64 bytes (IstioLoaderOptions.MaxFileSize)", tooSmallOutput);
        Assert.Equal(Program.ErrorsFound, tooShallow);
        Assert.Contains("YAML nesting is deeper than 2 levels (IstioLoaderOptions.MaxNestingDepth)", tooShallowOutput);
        Assert.Equal(Program.ErrorsFound, fewDocuments);
        Assert.Contains("the file holds more than 1 YAML documents (IstioLoaderOptions.MaxDocumentsPerFile)", fewDocumentsOutput);
        Assert.Equal(Program.Success, fits);
        Assert.Contains("OK: 2 file(s), 3 object(s)", fitsOutput);
    }

    [Fact]
    public void Run_Help_ReturnsZeroWithUsage()
    {
        var (code, output, _) = ToolRun.Run(["--help"]);

        Assert.Equal(Program.Success, code);
        Assert.Contains("Exit codes: 0 no errors, 1 errors found, 2 usage error.", output);
    }

    [Fact]
    public void Run_ValidFile_ReturnsZeroAndSummary()
    {
        using var folder = new TempFolder();
        var file = folder.Write("se.yaml", ValidServiceEntry);

        var (code, output, error) = ToolRun.Run(["validate", file]);

        Assert.Equal(Program.Success, code);
        Assert.Empty(error);
        Assert.Equal("OK: 1 file(s), 1 object(s) (1 service entries mapped, 0 ignored), 0 error(s), 0 warning(s).", output.TrimEnd());
    }

    [Fact]
    public void Run_InvalidFile_ReturnsOneAndPrintsLikeIstioctlAnalyze()
    {
        using var folder = new TempFolder();
        var file = folder.Write("se.yaml", ValidServiceEntry.Replace("number: 443", "number: 0") + "  workloadSelector: {labels: {app: a}}\n");

        var (code, output, _) = ToolRun.Run(["validate", file]);

        Assert.Equal(Program.ErrorsFound, code);
        Assert.Equal(
            [
                $"Warning [{file}:7:3] ServiceEntry default/api: field spec.workloadSelector is not applicable out of mesh and is ignored: it selects pods or WorkloadEntries inside the cluster as endpoints; declare endpoints instead.",
                $"Error [{file}:1:1] ServiceEntry default/api: ports[0].number port must be between 1-65535 (was '0').",
                "Error: 1 file(s), 1 object(s) (1 service entries mapped, 0 ignored), 1 error(s), 1 warning(s).",
            ],
            output.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public void Run_BadInputs_ReportedAsErrorsNeverACrash()
    {
        using var folder = new TempFolder();
        var empty = Path.Combine(folder.Path, "empty");
        Directory.CreateDirectory(empty);
        var garbage = Path.Combine(folder.Path, "garbage.yaml");
        File.WriteAllBytes(garbage, [0x00, 0xFF, 0xFE, 0x1B, 0x7B, 0x5B, 0x3A, 0x0A, 0x09, 0x22, 0x80, 0x00, 0x2D, 0x2D, 0x2D]);
        var invalid = folder.Write("invalid.yaml", "kind: [unclosed\n  - : :\n");
        var missing = Path.Combine(folder.Path, "missing.yaml");

        var (code, output, error) = ToolRun.Run(["validate", empty, garbage, invalid, missing]);

        Assert.Equal(Program.ErrorsFound, code);
        Assert.Empty(error);
        Assert.Contains($"Error [{empty}] the folder contains no *.yaml or *.yml files.", output);
        Assert.Contains($"Error [{garbage}:", output);
        Assert.Contains($"Error [{invalid}:", output);
        Assert.Contains("YAML syntax error: ", output);
        Assert.Contains($"Error [{missing}] no such file or folder.", output);
        Assert.EndsWith("error(s), 0 warning(s).", output.TrimEnd());
    }

    [Fact]
    public void Run_UnreadableFile_ReportedAsAnError()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("Needs Linux: /sys/bus/pci/rescan is write-only, even for root.");
        }

        // File permissions do not stop root (CI runs as root); this sysfs file fails to read for everyone.
        // (/proc files report no length and are skipped before they are opened, see IstioFileReader.)
        const string file = "/sys/bus/pci/rescan";
        if (!File.Exists(file))
        {
            Assert.Skip($"{file} does not exist here.");
        }

        var (code, output, _) = ToolRun.Run(["validate", file]);

        Assert.Equal(Program.ErrorsFound, code);
        Assert.StartsWith($"Error [{file}] cannot read the file: ", output);
    }

    [Fact]
    public void Run_PathWithANulCharacter_ReportedAsAnError()
    {
        var (code, output, _) = ToolRun.Run(["validate", "mesh\0.yaml"]);

        Assert.Equal(Program.ErrorsFound, code);
        Assert.StartsWith("Error [mesh\0.yaml] ", output);
    }

    [Fact]
    public void Run_DestinationRuleWithMissingCertificateFile_WarningAndExitCodeZero()
    {
        using var folder = new TempFolder();
        var missing = System.IO.Path.Combine(folder.Path, "certs", "ca.pem");
        var file = folder.Write("dr.yaml", ValidServiceEntry + $"---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: api, namespace: default}}\nspec:\n  host: api.example.com\n  trafficPolicy:\n    tls: {{mode: SIMPLE, caCertificates: '{missing}'}}\n");

        var (code, output, _) = ToolRun.Run(["validate", file]);

        Assert.Equal(Program.Success, code); // warnings only: the files may be mounted where it runs
        Assert.Contains($"trafficPolicy.tls.caCertificates file '{missing}' does not exist; connections to this service fail with 503 UF until it appears.", output);
        Assert.StartsWith("Warning [", output);
        Assert.Contains("0 error(s), 1 warning(s).", output);
    }

    [Fact]
    public void Run_Corpus_ReportsErrorsAndWarningsWithLocations()
    {
        var (code, output, _) = ToolRun.Run(["validate", TestPaths.CorpusDirectory]);

        Assert.Equal(Program.ErrorsFound, code);
        var lines = output.TrimEnd().Split(Environment.NewLine);
        Assert.All(lines[..^1], l => Assert.Matches(@"^(Error|Warning) \[[^\]]+:\d+:\d+\] [A-Za-z]+ \S+: .+$", l));
        Assert.Contains(lines, l => l.Contains("] ServiceEntry no-spec: spec: Required value"));
        Assert.StartsWith($"Error: {Directory.GetFiles(TestPaths.CorpusDirectory, "*.yaml").Length} file(s), {CorpusExpectations.All.Length} object(s)", lines[^1]);
    }
}
