using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Fallback;

/// <summary>
/// <c>Fallback:OnFlags</c> in appsettings: a comma-separated list of Envoy's codes (<c>UH,UF,URX</c>) or
/// of the C# names (<c>UpstreamConnectionFailure</c>), or <c>None</c>; turned into the C# names the binder takes.
/// </summary>
internal sealed class ResponseFlagsSpelling : MeshConfigurationSpellings.EnumSpelling
{
    public static ResponseFlagsSpelling Instance { get; } = new();

    public override string? ToCSharpName(string text) =>
        TryParse(text, out var flags) ? (flags == MeshResponseFlags.None ? nameof(MeshResponseFlags.None) : flags.ToString()) : null;

    public override string Describe(string text) =>
        $"'{Configuration.DiagnosticText.Cut(text)}' is not a list of response flags: use Envoy's codes ({string.Join(", ", Codes())}) or {nameof(MeshResponseFlags)} names, separated by commas.";

    /// <summary>Parses Envoy's codes or the C# names, comma-separated; <c>None</c> or <c>-</c> alone for none.</summary>
    public static bool TryParse(string? text, out MeshResponseFlags flags)
    {
        flags = MeshResponseFlags.None;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (TryParseOne(part, out var flag))
            {
                flags |= flag;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParseOne(string part, out MeshResponseFlags flag)
    {
        flag = MeshResponseFlags.None;
        if (part is "-" || string.Equals(part, nameof(MeshResponseFlags.None), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        for (var bit = 0; bit < 11; bit++)
        {
            var candidate = (MeshResponseFlags)(1 << bit);
            if (string.Equals(candidate.ToEnvoyString(), part, StringComparison.OrdinalIgnoreCase)
                || string.Equals(candidate.ToString(), part, StringComparison.OrdinalIgnoreCase))
            {
                flag = candidate;
                return true;
            }
        }

        return false;
    }

    public static IEnumerable<string> Codes()
    {
        for (var bit = 0; bit < 11; bit++)
        {
            yield return ((MeshResponseFlags)(1 << bit)).ToEnvoyString();
        }
    }
}
