namespace MeshClient.Configuration;

/// <summary>The HTTP token grammar configuration values are checked against.</summary>
internal static class HttpTokens
{
    /// <summary>
    /// Whether <paramref name="value"/> is a token (RFC 9110 <c>tchar</c>, the same set as RFC 6265's cookie
    /// attribute names): visible ASCII without delimiters. <see langword="false"/> for <see langword="null"/> or empty.
    /// </summary>
    public static bool IsToken(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
