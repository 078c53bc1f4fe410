namespace MeshClient.Istio.Yaml;

/// <summary>Keeps configuration values short in messages: a 50 MB host name must not become a 50 MB log line.</summary>
internal static class DiagnosticText
{
    /// <summary>How many characters of a value a message shows.</summary>
    public const int MaxValueLength = 100;

    /// <summary>The value itself when short, else its first <paramref name="max"/> characters and '…'.</summary>
    public static string Cut(string? value, int max = MaxValueLength)
    {
        if (value is null || value.Length <= max)
        {
            return value ?? string.Empty;
        }

        // Never split a surrogate pair.
        var length = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return string.Concat(value.AsSpan(0, length), "…");
    }
}
