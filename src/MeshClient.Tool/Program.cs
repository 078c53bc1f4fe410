using MeshClient.Istio;

namespace MeshClient.Tool;

/// <summary>
/// The <c>meshclient</c> command: <c>meshclient validate &lt;files|folders&gt;</c> prints errors and
/// warnings like <c>istioctl analyze</c>. Exit codes: 0 no errors, 1 errors found, 2 usage error.
/// </summary>
internal static class Program
{
    public const int Success = 0;
    public const int ErrorsFound = 1;
    public const int UsageError = 2;

    private const string Usage = """
        Usage: meshclient validate [options] <file|folder>...

          Reads Istio YAML (ServiceEntry, DestinationRule, VirtualService, Sidecar) and MeshClient's
          extension kinds (meshclient.io/v1alpha1: HealthCheckPolicy, FallbackPolicy, EgressProxy,
          OutlierPolicy, RetryPolicy) as MeshClient would and prints every error and warning with
          file:line:column. Folders are read non-recursively (*.yaml, *.yml).

        Options (the input limits of IstioLoaderOptions; set them as the application does):
          --max-file-size <bytes>       largest file read (default 4194304)
          --max-nesting-depth <levels>  deepest YAML nesting (default 100)
          --max-documents <count>       most YAML documents per file (default 10000)
          --read-timeout <seconds>      longest wait for one file's read (default 10)

        Exit codes: 0 no errors, 1 errors found, 2 usage error.
        """;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the tool with the given arguments and writers (the testable entry point).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 1 && args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return Success;
        }

        if (args.Length == 0 || args[0] != "validate")
        {
            error.WriteLine(args.Length == 0 ? "meshclient: missing command." : $"meshclient: unknown command '{args[0]}'.");
            error.WriteLine(Usage);
            return UsageError;
        }

        if (args.Length == 1)
        {
            error.WriteLine("meshclient validate: at least one file or folder is required.");
            error.WriteLine(Usage);
            return UsageError;
        }

        if (!TryParseOptions(args, out var paths, out var options, out var problem))
        {
            error.WriteLine($"meshclient validate: {problem}");
            error.WriteLine(Usage);
            return UsageError;
        }

        try
        {
            return Validate(paths, options, output);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The loader turns bad input into findings; this is the last line of defence, never a crash.
            error.WriteLine($"Error [meshclient] unexpected failure: {ex.GetType().Name}: {ex.Message}");
            return ErrorsFound;
        }
    }

    /// <summary>Splits the arguments after <c>validate</c> into the limit options and the paths.</summary>
    private static bool TryParseOptions(string[] args, out List<string> paths, out IstioLoaderOptions options, out string? problem)
    {
        paths = [];
        options = new IstioLoaderOptions();
        problem = null;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                paths.Add(arg);
                continue;
            }

            if (i + 1 >= args.Length)
            {
                problem = $"option '{arg}' needs a value.";
                return false;
            }

            var value = args[++i];
            if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                problem = $"option '{arg}' needs a positive whole number (was '{(value.Length > 100 ? value[..100] + "…" : value)}').";
                return false;
            }

            switch (arg)
            {
                case "--max-file-size":
                    options.MaxFileSize = number;
                    break;
                case "--max-nesting-depth" when number <= int.MaxValue:
                    options.MaxNestingDepth = (int)number;
                    break;
                case "--max-documents" when number <= int.MaxValue:
                    options.MaxDocumentsPerFile = (int)number;
                    break;
                case "--read-timeout" when number <= int.MaxValue / 1000:
                    options.ReadTimeout = TimeSpan.FromSeconds(number);
                    break;
                case "--max-nesting-depth" or "--max-documents" or "--read-timeout":
                    problem = $"option '{arg}' is too large (was '{value}').";
                    return false;
                default:
                    problem = $"unknown option '{arg}'.";
                    return false;
            }
        }

        if (paths.Count == 0)
        {
            problem = "at least one file or folder is required.";
            return false;
        }

        return true;
    }

    private static int Validate(List<string> paths, IstioLoaderOptions options, TextWriter output)
    {
        var result = IstioConfigurationLoader.Load(paths, options);
        var findings = result.Validate();
        var errors = 0;
        var warnings = 0;
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
            if (finding.IsError)
            {
                errors++;
            }
            else
            {
                warnings++;
            }
        }

        var ignored = result.Resources.Count(static r => r.Status == IstioResourceStatus.Ignored);
        output.WriteLine(
            $"{(errors > 0 ? "Error" : "OK")}: {result.Files.Count} file(s), {result.Resources.Count} object(s) " +
            $"({result.Options.ExternalServices.Count} service entries mapped, {ignored} ignored), {errors} error(s), {warnings} warning(s).");
        return errors > 0 ? ErrorsFound : Success;
    }
}
