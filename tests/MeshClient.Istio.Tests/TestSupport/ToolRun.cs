using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

/// <summary>One run of the meshclient tool (<see cref="Program.Run"/>): its exit code and what it wrote to each stream.</summary>
internal sealed record ToolRun(int Code, string Output, string Error)
{
    /// <summary>Runs the tool with <paramref name="args"/>.</summary>
    public static ToolRun Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(args, output, error);
        return new ToolRun(code, output.ToString(), error.ToString());
    }

    /// <summary><c>validate <paramref name="file"/></c>.</summary>
    public static ToolRun Validate(string file) => Run("validate", file);

    /// <summary>What <c>--help</c> writes.</summary>
    public static string Help() => Run("--help").Output;
}
