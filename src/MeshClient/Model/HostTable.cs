using System.Collections.Frozen;

namespace MeshClient.Model;

/// <summary>
/// Finds the entry for a request host and port, as Envoy's per-port virtual hosts do: an exact
/// host beats a wildcard, and a longer wildcard suffix beats a shorter one. Immutable; lookups
/// take no lock and allocate nothing.
/// </summary>
internal sealed class HostTable<T>
    where T : class
{
    private readonly FrozenDictionary<int, PortTable> _ports;

    private HostTable(FrozenDictionary<int, PortTable> ports, (string Host, int Port, T Value)[] entries)
    {
        _ports = ports;
        Entries = entries;
    }

    public static HostTable<T> Empty { get; } = new(FrozenDictionary<int, PortTable>.Empty, []);

    /// <summary>The entries the table kept (the first of duplicates), in declaration order.</summary>
    public IReadOnlyList<(string Host, int Port, T Value)> Entries { get; }

    public T? Match(string host, int port)
    {
        if (!_ports.TryGetValue(port, out var table))
        {
            return null;
        }

        if (table.Exact.TryGetValue(host, out var exact))
        {
            return exact;
        }

        var wildcards = table.Wildcards;
        for (var i = 0; i < wildcards.Length; i++)
        {
            if (HostPattern.Matches(wildcards[i].Pattern, host))
            {
                return wildcards[i].Value;
            }
        }

        return null;
    }

    /// <summary>Builds the table; for a duplicate host and port the first entry wins, as in Istio.</summary>
    public static HostTable<T> Build(IEnumerable<(string Host, int Port, T Value)> entries)
    {
        var byPort = new Dictionary<int, (Dictionary<string, T> Exact, List<(string Pattern, T Value)> Wildcards)>();
        var kept = new List<(string Host, int Port, T Value)>();
        foreach (var (host, port, value) in entries)
        {
            if (!byPort.TryGetValue(port, out var table))
            {
                table = (new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase), []);
                byPort[port] = table;
            }

            if (HostPattern.IsWildcard(host))
            {
                if (!table.Wildcards.Exists(w => string.Equals(w.Pattern, host, StringComparison.OrdinalIgnoreCase)))
                {
                    table.Wildcards.Add((host, value));
                    kept.Add((host, port, value));
                }
            }
            else if (table.Exact.TryAdd(host, value))
            {
                kept.Add((host, port, value));
            }
        }

        var result = new Dictionary<int, PortTable>(byPort.Count);
        foreach (var (port, table) in byPort)
        {
            // Most specific first: a longer suffix is a narrower wildcard. OrderBy is stable, so ties keep declaration order.
            var wildcards = table.Wildcards.OrderByDescending(w => w.Pattern.Length).ToArray();
            result[port] = new PortTable(table.Exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), wildcards);
        }

        return new HostTable<T>(result.ToFrozenDictionary(), [.. kept]);
    }

    private sealed record PortTable(FrozenDictionary<string, T> Exact, (string Pattern, T Value)[] Wildcards);
}
