namespace MeshClient.Configuration;

/// <summary>
/// Header changes, applied in the order remove, set, add (Istio <c>HeaderOperations</c>). Names
/// starting with <c>:</c> are ignored, as in Istio; setting <c>host</c> on a request rewrites the
/// authority. A value must not contain CR or LF.
/// </summary>
public sealed class HeaderOperationsOptions
{
    /// <summary>Gets the headers to set, replacing any value they had.</summary>
    /// <value>Empty by default (Istio <c>set</c>).</value>
    public IDictionary<string, string> Set { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the headers to add to any values they have.</summary>
    /// <value>Empty by default (Istio <c>add</c>).</value>
    public IDictionary<string, string> Add { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the names of the headers to remove.</summary>
    /// <value>Empty by default (Istio <c>remove</c>).</value>
    public IList<string> Remove { get; } = new List<string>();
}
