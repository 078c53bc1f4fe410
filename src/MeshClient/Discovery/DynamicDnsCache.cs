using System.Net;
using System.Net.Sockets;

namespace MeshClient.Discovery;

/// <summary>
/// The addresses of the hosts requested through one DYNAMIC_DNS cluster (Envoy's dynamic forward
/// proxy DNS cache): each name is resolved when a connection to it opens, kept for its TTL (clamped
/// like every refresh), and forgotten least-recently-used first beyond
/// <see cref="Configuration.DnsOptions.MaxDynamicHosts"/>. The connection pool keeps a separate set of
/// connections per requested host, so each name is its own upstream.
/// </summary>
/// <remarks>Consulted on new connections only, never on the request path of a pooled connection.</remarks>
internal sealed class DynamicDnsCache
{
    private readonly IDnsLookup _lookup;
    private readonly TimeProvider _timeProvider;
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<Entry> _recent = new();
    private volatile DnsSettings _settings;
    private long _lookups;
    private long _failedLookups;

    public DynamicDnsCache(IDnsLookup lookup, TimeProvider timeProvider, DnsSettings settings)
    {
        _lookup = lookup;
        _timeProvider = timeProvider;
        _settings = settings;
    }

    /// <summary>How many names are cached.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Lookups made (each a refresh of one name).</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Lookups that failed (a stale address, if any, stayed).</summary>
    public long FailedLookups => Interlocked.Read(ref _failedLookups);

    /// <summary>When the last successful lookup ended; <see langword="null"/> before one.</summary>
    public DateTimeOffset? LastSuccess { get; private set; }

    /// <summary>When the last failed lookup ended; <see langword="null"/> before one.</summary>
    public DateTimeOffset? LastFailure { get; private set; }

    /// <summary>Why the last failed lookup failed; <see langword="null"/> before one.</summary>
    public string? LastError { get; private set; }

    /// <summary>The addresses of the cached names (each name's first, the one connections use).</summary>
    public int Addresses
    {
        get
        {
            lock (_gate)
            {
                var count = 0;
                foreach (var entry in _recent)
                {
                    count += entry.Addresses is { Length: > 0 } ? 1 : 0;
                }

                return count;
            }
        }
    }

    /// <summary>A reload: new settings for the lookups from now on.</summary>
    public void Update(DnsSettings settings) => _settings = settings;

    /// <summary>Whether <paramref name="host"/> is cached (tests and diagnostics).</summary>
    public bool Contains(string host)
    {
        lock (_gate)
        {
            return _entries.ContainsKey(host);
        }
    }

    /// <summary>The address a new connection to <paramref name="host"/> goes to: the first of its current answer.</summary>
    /// <exception cref="SocketException">The name did not resolve, or has no address (<c>HostNotFound</c>: Envoy's <c>DF</c>).</exception>
    public async ValueTask<IPAddress> GetAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }

        var settings = _settings;
        Entry entry;
        Task<DnsAnswer>? pending;
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (_entries.TryGetValue(host, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                entry = node.Value;
            }
            else
            {
                entry = new Entry(host);
                _entries[host] = _recent.AddFirst(entry);
                while (_entries.Count > settings.MaxDynamicHosts && _recent.Last is { } oldest)
                {
                    _recent.RemoveLast();
                    _entries.Remove(oldest.Value.Host);
                }
            }

            if (entry.Addresses is { Length: > 0 } fresh && now < entry.ExpiresAt)
            {
                return fresh[0];
            }

            pending = entry.Pending ??= ResolveAsync(entry, settings);
        }

        try
        {
            await pending.WaitAsync(settings.FirstResolutionTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a stale answer may still serve; otherwise the name did not resolve
        }

        var addresses = entry.Addresses;
        return addresses is { Length: > 0 }
            ? addresses[0]
            : throw new SocketException((int)SocketError.HostNotFound, $"DNS resolution of '{host}' failed{(entry.Error is { } error ? ": " + error : ".")}");
    }

    private async Task<DnsAnswer> ResolveAsync(Entry entry, DnsSettings settings)
    {
        await Task.Yield();
        DnsAnswer answer;
        try
        {
            answer = await _lookup.ResolveAsync(entry.Host, settings, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A resolver's exception is a failed lookup.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            answer = DnsAnswer.Failed(DnsAnswerStatus.Failure, ex.Message);
        }

        lock (_gate)
        {
            entry.Pending = null;
            var now = _timeProvider.GetTimestamp();
            Interlocked.Increment(ref _lookups);
            if (answer.IsSuccess)
            {
                LastSuccess = _timeProvider.GetUtcNow();
                entry.Addresses = answer.Addresses;
                entry.Error = answer.Addresses.Length == 0 ? "no address" : null;
                entry.ExpiresAt = now + (long)(settings.NextRefresh(answer.MinTtl).TotalSeconds * _timeProvider.TimestampFrequency);
            }
            else
            {
                // Keep a stale answer (if any) and try again after the back-off.
                Interlocked.Increment(ref _failedLookups);
                LastFailure = _timeProvider.GetUtcNow();
                LastError = FormattableString.Invariant($"{entry.Host}: {answer.Error}");
                entry.Error = answer.Error;
                entry.ExpiresAt = now + (long)(settings.MinRefreshInterval.TotalSeconds * _timeProvider.TimestampFrequency);
            }
        }

        return answer;
    }

    private sealed class Entry(string host)
    {
        public string Host { get; } = host;

        public volatile IPAddress[]? Addresses;

        public volatile string? Error;

        public long ExpiresAt;

        public Task<DnsAnswer>? Pending;
    }
}
