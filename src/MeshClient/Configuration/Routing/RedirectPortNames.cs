namespace MeshClient.Configuration;

/// <summary>
/// Istio's spellings of <see cref="RedirectPortSelection"/> (<c>redirect.derivePort</c>), for configuration
/// binding and the YAML loader. Also compiled into MeshClient.Istio.
/// </summary>
internal static class RedirectPortNames
{
    /// <summary>Parses <c>FROM_PROTOCOL_DEFAULT</c> or <c>FROM_REQUEST_PORT</c>.</summary>
    public static bool TryParse(string? text, out RedirectPortSelection value)
    {
        switch (text)
        {
            case "FROM_PROTOCOL_DEFAULT": value = RedirectPortSelection.FromProtocolDefault; return true;
            case "FROM_REQUEST_PORT": value = RedirectPortSelection.FromRequestPort; return true;
            default: value = default; return false;
        }
    }

    /// <summary>The Istio spelling of <paramref name="value"/>; empty for a value Istio does not have.</summary>
    public static string Format(RedirectPortSelection value) => value switch
    {
        RedirectPortSelection.FromProtocolDefault => "FROM_PROTOCOL_DEFAULT",
        RedirectPortSelection.FromRequestPort => "FROM_REQUEST_PORT",
        _ => string.Empty,
    };
}
