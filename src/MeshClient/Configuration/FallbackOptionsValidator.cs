namespace MeshClient.Configuration;

/// <summary>Validates <see cref="ExternalServiceOptions.Fallback"/>; every message names the field path (<c>fallback.ttl</c>).</summary>
internal static class FallbackOptionsValidator
{
    public static void Validate(FallbackOptions? options, string path, ServiceFindings findings)
    {
        if (options is null)
        {
            return;
        }

        if (options.Ttl <= TimeSpan.Zero)
        {
            findings.Error(path + ".ttl", $" must be positive (was '{DurationValidator.Format(options.Ttl)}').");
        }

        if (options.MaxStale < TimeSpan.Zero)
        {
            findings.Error(path + ".maxStale", $" must not be negative (was '{DurationValidator.Format(options.MaxStale)}').");
        }

        if (options.MaxBodyBytes < 0)
        {
            findings.Error(path + ".maxBodyBytes", FormattableString.Invariant($" must not be negative (was '{options.MaxBodyBytes}')."));
        }

        if (options.MaxEntries < 1)
        {
            findings.Error(path + ".maxEntries", FormattableString.Invariant($" must be at least 1 (was '{options.MaxEntries}')."));
        }

        for (var i = 0; i < options.StatusCodes.Count; i++)
        {
            if (options.StatusCodes[i] is < 100 or > 599)
            {
                findings.Error(FormattableString.Invariant($"{path}.statusCodes[{i}]"), FormattableString.Invariant($" must be an HTTP status code between 100 and 599 (was '{options.StatusCodes[i]}')."));
            }
        }

        for (var i = 0; i < options.Methods.Count; i++)
        {
            if (!HttpTokens.IsToken(options.Methods[i]))
            {
                findings.Error(FormattableString.Invariant($"{path}.methods[{i}]"), $" '{DiagnosticText.Cut(options.Methods[i] ?? string.Empty)}' is not an HTTP method.");
            }
        }

        for (var i = 0; i < options.VaryHeaders.Count; i++)
        {
            if (!HttpTokens.IsToken(options.VaryHeaders[i]))
            {
                findings.Error(FormattableString.Invariant($"{path}.varyHeaders[{i}]"), $" '{DiagnosticText.Cut(options.VaryHeaders[i] ?? string.Empty)}' is not a header name.");
            }
        }

        if ((options.OnFlags & ~AllFlags) != 0)
        {
            findings.Error(path + ".onFlags", $" has unknown flags (was '{(int)options.OnFlags}').");
        }
    }

    private const MeshResponseFlags AllFlags = (MeshResponseFlags)((1 << 11) - 1);
}
