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

    public void Apply(HttpHeaders headers)
    {
        foreach (var name in Remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value) in Set)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        foreach (var (name, value) in Add)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Applies to a response: content headers (<c>content-type</c>) go to the content's collection.</summary>
    public void Apply(HttpResponseMessage response)
    {
        Apply(response.Headers);
        if (response.Content is { } content)
        {
            foreach (var name in Remove)
            {
                content.Headers.Remove(name);
            }
        }
    }

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
