namespace MeshClient.Configuration;

/// <summary>
/// How a string (a path, a header value, a query parameter) must look: exactly, by prefix or by a
/// regular expression; set one of them. None set means "present" (for headers and query parameters)
/// — Istio's <c>StringMatch</c>.
/// </summary>
public sealed class StringMatchOptions
{
    /// <summary>Gets or sets the exact value.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>exact</c>).</value>
    public string? Exact { get; set; }

    /// <summary>Gets or sets the prefix.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>prefix</c>); must not be empty.</value>
    public string? Prefix { get; set; }

    /// <summary>
    /// Gets or sets a regular expression that the whole value must match (RE2 syntax, at most 1024
    /// characters). It runs with <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>,
    /// so no pattern can make a request hang; constructs that need backtracking (back-references,
    /// look-arounds) are rejected by validation, as RE2 rejects them.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>regex</c>).</value>
    public string? Regex { get; set; }

    /// <summary>Creates an exact match.</summary>
    /// <param name="value">The exact value.</param>
    /// <returns>The match.</returns>
    public static StringMatchOptions ForExact(string value) => new() { Exact = value };

    /// <summary>Creates a prefix match.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The match.</returns>
    public static StringMatchOptions ForPrefix(string prefix) => new() { Prefix = prefix };

    /// <summary>Creates a regular-expression match.</summary>
    /// <param name="pattern">The pattern (RE2 syntax).</param>
    /// <returns>The match.</returns>
    public static StringMatchOptions ForRegex(string pattern) => new() { Regex = pattern };
}
