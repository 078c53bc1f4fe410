using System.Globalization;

namespace MeshClient.Demo;

/// <summary>The demo's command line: <c>--duration &lt;seconds&gt;</c> (or <c>--duration=5</c>), <c>--workers &lt;n&gt;</c> and <c>--prometheus</c>.</summary>
internal sealed record DemoOptions(TimeSpan Duration, int Workers, bool Prometheus = false)
{
    public const string Usage = """
        Usage: dotnet run --project samples/MeshClient.Demo [-- options]

          --duration <seconds>   how long to drive traffic (default 15; also --duration=5)
          --workers <n>          concurrent callers (default 4)
          --prometheus           expose the MeshClient metrics on http://127.0.0.1:<port>/metrics (OpenTelemetry
                                 Prometheus exporter) while the demo runs, and print a few lines of the scrape
          --help                 show this text
        """;

    public static DemoOptions Default { get; } = new(TimeSpan.FromSeconds(15), 4);

    /// <summary>Parses the arguments; <paramref name="error"/> is set (and the result null) when they are wrong or help was asked for.</summary>
    public static DemoOptions? Parse(string[] args, out string? error)
    {
        var options = Default;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inlineValue = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    error = Usage;
                    return null;
                case "--duration":
                    if (!TryTakeValue(args, ref i, inlineValue, out var seconds)
                        || !double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                        || value <= 0 || value > 24 * 3600)
                    {
                        error = "--duration needs a positive number of seconds, for example --duration 5.\n\n" + Usage;
                        return null;
                    }

                    options = options with { Duration = TimeSpan.FromSeconds(value) };
                    break;
                case "--workers":
                    if (!TryTakeValue(args, ref i, inlineValue, out var text)
                        || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var workers)
                        || workers is < 1 or > 256)
                    {
                        error = "--workers needs a number between 1 and 256.\n\n" + Usage;
                        return null;
                    }

                    options = options with { Workers = workers };
                    break;
                case "--prometheus" when inlineValue is null:
                    options = options with { Prometheus = true };
                    break;
                default:
                    error = $"Unknown argument '{args[i]}'.\n\n" + Usage;
                    return null;
            }
        }

        return options;
    }

    private static bool TryTakeValue(string[] args, ref int index, string? inlineValue, out string? value)
    {
        if (inlineValue is not null)
        {
            value = inlineValue;
            return true;
        }

        if (index + 1 < args.Length)
        {
            value = args[++index];
            return true;
        }

        value = null;
        return false;
    }
}
