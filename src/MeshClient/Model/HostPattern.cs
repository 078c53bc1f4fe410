namespace MeshClient.Model;

/// <summary>
/// Istio host-name semantics (<c>pkg/config/host/name.go</c>): a name that starts with <c>*</c> is a
/// wildcard matching every name that ends with the rest, at any depth, but not the rest itself.
/// Host names compare case-insensitively, as DNS names do.
/// </summary>
internal static class HostPattern
{
    public static bool IsWildcard(string pattern) => pattern.Length > 0 && pattern[0] == '*';

    /// <summary>Matches a request host against a declared host.</summary>
    public static bool Matches(string pattern, string host)
    {
        if (!IsWildcard(pattern))
        {
            return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
        }

        // "*.bar.com" matches "a.bar.com" and "a.b.bar.com" but not "bar.com"; "*" alone is rejected by validation.
        var suffix = pattern.AsSpan(1);
        return host.Length > suffix.Length && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A wildcard is a full first label <c>*.</c>; <c>*x.com</c> is a partial wildcard Istio only warns about.</summary>
    public static bool IsPartialWildcard(string pattern) =>
        IsWildcard(pattern) && pattern.Length > 1 && pattern[1] != '.';
}
