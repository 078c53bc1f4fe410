using System.Net;

namespace MeshClient.Demo;

/// <summary>Which external host a call was for.</summary>
internal enum CallTarget
{
    Weather,

    /// <summary>The quotes API, a call the instance answers at once.</summary>
    Quote,

    /// <summary>The quotes API, a call that asks the instance to wait longer than the route timeout.</summary>
    SlowQuote,
    Alerts,
    Blocked,
}

/// <summary>One kind of outcome as the application saw it: target, HTTP status and Envoy flags.</summary>
internal readonly record struct Outcome(CallTarget Target, HttpStatusCode Status, string Flags);

/// <summary>How long the calls with one outcome took, measured by the caller around <c>GetAsync</c>.</summary>
internal readonly record struct Latency(int Count, TimeSpan Min, TimeSpan Median, TimeSpan Max);

/// <summary>The first response seen for a target, kept to show what the mesh answers.</summary>
internal sealed record ResponseExample(CallTarget Target, string Url, int Status, string? Reason, string? FlagsHeader, string? BlockedHostHeader, string Body, string? MeshResult, TimeSpan Elapsed);

/// <summary>What the workers saw, from the application's side (the mesh keeps its own counters).</summary>
internal sealed class TrafficStats
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Outcome, long> _outcomes = [];
    private readonly Dictionary<CallTarget, ResponseExample> _examples = [];
    private readonly Dictionary<string, long> _flags = new(StringComparer.Ordinal);
    private readonly List<string> _unexpected = [];
    private readonly Dictionary<Outcome, List<TimeSpan>> _latencies = [];
    private long _total;
    private long _blocked;
    private long _unexpectedCount;

    public long Total => Interlocked.Read(ref _total);

    public long Blocked => Interlocked.Read(ref _blocked);

    public long UnexpectedCount => Interlocked.Read(ref _unexpectedCount);

    public void Record(Outcome outcome)
    {
        Interlocked.Increment(ref _total);
        if (outcome.Target == CallTarget.Blocked)
        {
            Interlocked.Increment(ref _blocked);
        }

        lock (_gate)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
            _flags[outcome.Flags] = _flags.GetValueOrDefault(outcome.Flags) + 1;
        }
    }

    /// <summary>Keeps how long a call took (only the quotes API's calls are timed).</summary>
    public void RecordLatency(Outcome outcome, TimeSpan elapsed)
    {
        lock (_gate)
        {
            if (!_latencies.TryGetValue(outcome, out var list))
            {
                _latencies[outcome] = list = [];
            }

            list.Add(elapsed);
        }
    }

    public Latency? LatencyOf(Outcome outcome)
    {
        TimeSpan[] sorted;
        lock (_gate)
        {
            if (!_latencies.TryGetValue(outcome, out var list) || list.Count == 0)
            {
                return null;
            }

            sorted = [.. list];
        }

        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Latency(sorted.Length, sorted[0], median, sorted[^1]);
    }

    public bool NeedsExample(CallTarget target)
    {
        lock (_gate)
        {
            return !_examples.ContainsKey(target);
        }
    }

    public void AddExample(ResponseExample example)
    {
        lock (_gate)
        {
            _examples.TryAdd(example.Target, example);
        }
    }

    /// <summary>Something the demo did not expect (an exception, an unreadable body): fails the run.</summary>
    public void RecordUnexpected(string what)
    {
        if (Interlocked.Increment(ref _unexpectedCount) <= 5)
        {
            lock (_gate)
            {
                _unexpected.Add(what);
            }
        }
    }

    public KeyValuePair<Outcome, long>[] Outcomes()
    {
        lock (_gate)
        {
            var rows = _outcomes.ToArray();
            Array.Sort(rows, static (a, b) => a.Key.Target != b.Key.Target
                ? a.Key.Target.CompareTo(b.Key.Target)
                : b.Value.CompareTo(a.Value));
            return rows;
        }
    }

    public KeyValuePair<string, long>[] FlagCounts()
    {
        lock (_gate)
        {
            var rows = _flags.ToArray();
            Array.Sort(rows, static (a, b) => b.Value.CompareTo(a.Value));
            return rows;
        }
    }

    public ResponseExample? Example(CallTarget target)
    {
        lock (_gate)
        {
            return _examples.GetValueOrDefault(target);
        }
    }

    public string[] UnexpectedSamples()
    {
        lock (_gate)
        {
            return [.. _unexpected];
        }
    }
}
