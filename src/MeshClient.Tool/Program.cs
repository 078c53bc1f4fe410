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
        Usage: meshclient validate <file|folder>...

          Reads Istio YAML (ServiceEntry, DestinationRule, VirtualService, Sidecar) and MeshClient's
          extension kinds (meshclient.io/v1alpha1: HealthCheckPolicy, FallbackPolicy, EgressProxy,
          OutlierPolicy) as MeshClient would and prints every error and warning with file:line:column.
          Folders are read non-recursively (*.yaml, *.yml).

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

        try
        {
            return Validate(args[1..], output);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The loader turns bad input into findings; this is the last line of defence, never a crash.
            error.WriteLine($"Error [meshclient] unexpected failure: {ex.GetType().Name}: {ex.Message}");
            return ErrorsFound;
        }
    }

    private static int Validate(string[] paths, TextWriter output)
    {
        var result = IstioConfigurationLoader.Load(paths);
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
