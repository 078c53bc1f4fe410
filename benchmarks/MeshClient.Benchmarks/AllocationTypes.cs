using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MeshClient.Benchmarks;

/// <summary>
/// Which types a request allocates, by the runtime's allocation-tick samples (one event per ~100 KB
/// allocated, naming the type that crossed the mark): over many requests the samples apportion the
/// bytes by type. Approximate, unlike <see cref="AllocationProbe"/>'s totals; it says where to look.
/// </summary>
internal sealed class AllocationTypes : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private long _total;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var typeIndex = eventData.PayloadNames!.IndexOf("TypeName");
        var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        var type = eventData.Payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        Interlocked.Add(ref _total, amount);
    }

    /// <summary>Prints the share of each type (top <paramref name="top"/>) as bytes per request.</summary>
    public void Print(int requests, int top = 30)
    {
        var total = Interlocked.Read(ref _total);
        Console.WriteLine($"  sampled {total / requests} B/request over {requests} requests; by type:");
        foreach (var (type, bytes) in _bytes.OrderByDescending(pair => pair.Value).Take(top))
        {
            Console.WriteLine($"    {bytes / (double)requests,8:F1} B  {type}");
        }
    }

    public void Reset()
    {
        _bytes.Clear();
        Interlocked.Exchange(ref _total, 0);
    }
}
