namespace MeshClient.Configuration;

/// <summary>A regular-expression path rewrite (Istio <c>RegexRewrite</c>).</summary>
public sealed class RegexRewriteOptions
{
    /// <summary>Gets or sets the pattern (RE2 syntax); every match in the path is replaced.</summary>
    /// <value>Required (Istio <c>match</c>).</value>
    public string? Match { get; set; }

    /// <summary>Gets or sets the replacement; <c>\1</c> refers to the first capture group.</summary>
    /// <value>Required, may be empty (Istio <c>rewrite</c>).</value>
    public string? Rewrite { get; set; }
}
