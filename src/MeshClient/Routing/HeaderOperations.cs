using System.Net.Http.Headers;
using MeshClient.Configuration;

namespace MeshClient.Routing;

/// <summary>
/// Compiled header operations (Istio <c>HeaderOperations</c>), applied remove, then set, then add.
/// Names starting with <c>:</c> and <c>host</c> are left out (a request <c>host</c> set becomes the
/// route's authority rewrite, see <see cref="Compile"/>).
/// </summary>
internal sealed class HeaderOperations
{
    /// <summary>The headers .NET keeps on <see cref="HttpContent.Headers"/>.</summary>
    private static readonly System.Collections.Frozen.FrozenSet<string> ContentHeaders = System.Collections.Frozen.FrozenSet.ToFrozenSet(
        ["Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location", "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified"],
        StringComparer.OrdinalIgnoreCase);

    private HeaderOperations(string[] remove, KeyValuePair<string, string>[] set, KeyValuePair<string, string>[] add)
    {
        Remove = remove;
        Set = set;
        Add = add;
    }

    public string[] Remove { get; }

    public KeyValuePair<string, string>[] Set { get; }

    public KeyValuePair<string, string>[] Add { get; }

    /// <summary>Compiles <paramref name="options"/>; <see langword="null"/> when it changes nothing. <paramref name="host"/> receives a <c>host</c> set or added.</summary>
    public static HeaderOperations? Compile(HeaderOperationsOptions? options, out string? host)
    {
        host = null;
        if (options is null)
        {
            return null;
        }

        var remove = new List<string>();
        foreach (var name in options.Remove)
        {
            if (Applies(name))
            {
                remove.Add(name);
            }
        }

        var set = Pairs(options.Set, ref host);
        string? added = null;
        var add = Pairs(options.Add, ref added);
        host ??= added; // set wins over add, as in Istio
        return remove.Count + set.Length + add.Length == 0 ? null : new HeaderOperations([.. remove], set, add);
    }

    /// <summary>Applies to a request: content headers (<c>content-type</c>) go to its content's collection, if it has content.</summary>
    public void Apply(HttpRequestMessage request) => Apply(request.Headers, request.Content);

    /// <summary>Applies to a response: content headers go to its content's collection.</summary>
    public void Apply(HttpResponseMessage response) => Apply(response.Headers, response.Content);

    private void Apply(HttpHeaders headers, HttpContent? content)
    {
        foreach (var name in Remove)
        {
            Target(name, headers, content)?.Remove(name);
        }

        foreach (var (name, value) in Set)
        {
            if (Target(name, headers, content) is { } target)
            {
                target.Remove(name);
                target.TryAddWithoutValidation(name, value);
            }
        }

        foreach (var (name, value) in Add)
        {
            Target(name, headers, content)?.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>The collection a header belongs to: .NET keeps content headers on the content (and throws if they are put elsewhere).</summary>
    private static HttpHeaders? Target(string name, HttpHeaders headers, HttpContent? content) =>
        IsContentHeader(name) ? content?.Headers : headers;

    private static bool IsContentHeader(string name) => ContentHeaders.Contains(name);

    private static bool Applies(string name) =>
        !string.IsNullOrEmpty(name) && name[0] != ':' && !string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);

    private static KeyValuePair<string, string>[] Pairs(IDictionary<string, string> values, ref string? host)
    {
        var pairs = new List<KeyValuePair<string, string>>(values.Count);
        foreach (var (name, value) in values)
        {
            if (string.Equals(name, "host", StringComparison.OrdinalIgnoreCase) || string.Equals(name, ":authority", StringComparison.Ordinal))
            {
                host ??= value;
            }
            else if (Applies(name))
            {
                pairs.Add(new(name, value));
            }
        }

        return [.. pairs];
    }
}
