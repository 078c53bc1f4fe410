using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MeshClient.Istio.Tests;

/// <summary>
/// Issue 20: hostile variations of the Istio corpus, with a fixed seed (the same cases on every run and
/// in CI). Each case must end in a valid result or configuration errors, never another exception, and
/// within a bound on the work (10 s a case is generous: a case takes milliseconds).
/// </summary>
[Trait("Area", "Reliability")]
public sealed class IstioLoaderFuzzTests
{
    private const int Seed = 20_250_520;
    private const int CasesPerFile = 16;
    private static readonly TimeSpan BoundPerCase = TimeSpan.FromSeconds(10);

    [Fact]
    public void LoadYaml_MutatedCorpus_ValidOrConfigurationErrorsNeverAnotherException()
    {
        var random = new Random(Seed);
        var cases = 0;
        foreach (var file in Directory.GetFiles(TestPaths.CorpusDirectory).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < CasesPerFile; i++)
            {
                var (mutation, yaml) = Mutate(random, lines);
                var name = $"{Path.GetFileName(file)}#{i} ({mutation})";
                var started = Stopwatch.GetTimestamp();
                IReadOnlyList<IstioDiagnostic> findings;
                try
                {
                    findings = IstioConfigurationLoader.LoadYaml(yaml, name).Validate();
                }
                catch (Exception ex)
                {
                    Assert.Fail($"{name}: {ex}");
                    throw;
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                Assert.True(elapsed < BoundPerCase, $"{name} took {elapsed.TotalSeconds:0.0} s.");
                Assert.All(findings, f => Assert.InRange(f.ToString().Length, 1, 4000));
                cases++;
            }
        }

        Assert.True(cases >= CasesPerFile, "No corpus files were read.");
    }

    private static (string Mutation, string Yaml) Mutate(Random random, string[] lines)
    {
        var result = new List<string>(lines);
        var at = lines.Length == 0 ? 0 : random.Next(lines.Length);
        string mutation;
        switch (random.Next(6))
        {
            case 0:
                var count = 1 + random.Next(Math.Max(1, lines.Length / 4));
                result.RemoveRange(at, Math.Min(count, result.Count - at));
                mutation = $"delete {count} lines at {at}";
                break;
            case 1:
                var replacement = random.Next(5) switch
                {
                    0 => "[x, 1]",
                    1 => "{a: b}",
                    2 => "4294967376",
                    3 => "~",
                    _ => "\"\u212Aelvin.example.com\"",
                };
                if (at < result.Count && result[at].IndexOf(": ", StringComparison.Ordinal) is var colon and > 0)
                {
                    result[at] = result[at][..(colon + 2)] + replacement;
                }

                mutation = $"value at {at} becomes {replacement}";
                break;
            case 2:
                var depth = random.Next(2) == 0 ? 99 : 5_000 + random.Next(30_000);
                result.Insert(at, "nested: " + new string('[', depth) + new string(']', random.Next(2) * depth));
                mutation = $"{depth} nested lists at {at}";
                break;
            case 3:
                var size = 100_000 + random.Next(1_000_000);
                if (at < result.Count && result[at].IndexOf(": ", StringComparison.Ordinal) is var at2 and > 0)
                {
                    result[at] = result[at][..(at2 + 2)] + new string((char)('a' + random.Next(26)), size);
                }

                mutation = $"a {size}-character value at {at}";
                break;
            case 4:
                var bomb = new StringBuilder("---\nb0: &b0 [x, x, x, x, x, x, x, x, x, x]\n");
                var levels = 3 + random.Next(5);
                for (var l = 1; l < levels; l++)
                {
                    bomb.Append(CultureInfo.InvariantCulture, $"b{l}: &b{l} [*b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}, *b{l - 1}]\n");
                }

                result.Add(bomb.ToString());
                mutation = $"an alias bomb of {levels} levels";
                break;
            default:
                if (at < result.Count && result[at].IndexOf(": ", StringComparison.Ordinal) is var at3 and > 0)
                {
                    result[at] = result[at][..(at3 + 2)] + "&anchor " + result[at][(at3 + 2)..];
                    result.Insert(Math.Min(result.Count, at + 1 + random.Next(5)), result[at][..at3] + "_alias: *anchor");
                }

                mutation = $"an anchor and an alias at {at}";
                break;
        }

        return (mutation, string.Join('\n', result));
    }
}
