using System.Collections.Concurrent;
using System.Diagnostics;

namespace MeshClient.Demo;

/// <summary>
/// Per-endpoint latency from the mesh's own attempt spans (the <c>MeshClient</c> <see cref="ActivitySource"/>:
/// one span per attempt, tagged <c>meshclient.endpoint</c>): the last <see cref="Window"/> attempt durations of
/// each endpoint, for the live table's p50 and p99. A tracer (OpenTelemetry's <c>AddSource("MeshClient")</c>)
/// sees the same spans.
/// </summary>
internal sealed class EndpointLatency : IDisposable
{
    /// <summary>How many recent attempts per endpoint the percentiles are computed over.</summary>
    public const int Window = 1000;

    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<string, Samples> _byEndpoint = new(StringComparer.Ordinal);

    public EndpointLatency()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "MeshClient",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The median and 99th percentile of the endpoint's recent attempts; <see langword="null"/> before its first.</summary>
    public (TimeSpan P50, TimeSpan P99)? Percentiles(string endpoint) =>
        _byEndpoint.TryGetValue(endpoint, out var samples) ? samples.Percentiles() : null;

    public void Dispose() => _listener.Dispose();

    private void OnStopped(Activity span)
    {
        // Attempt spans are the mesh's internal spans; the client span is the whole request (retries included).
        if (span.Kind == ActivityKind.Internal && span.GetTagItem("meshclient.endpoint") is string endpoint)
        {
            _byEndpoint.GetOrAdd(endpoint, static _ => new Samples()).Add(span.Duration);
        }
    }

    private sealed class Samples
    {
        private readonly Lock _gate = new();
        private readonly TimeSpan[] _ring = new TimeSpan[Window];
        private int _count;
        private int _next;

        public void Add(TimeSpan duration)
        {
            lock (_gate)
            {
                _ring[_next] = duration;
                _next = (_next + 1) % Window;
                _count = Math.Min(_count + 1, Window);
            }
        }

        public (TimeSpan P50, TimeSpan P99)? Percentiles()
        {
            TimeSpan[] sorted;
            lock (_gate)
            {
                if (_count == 0)
                {
                    return null;
                }

                sorted = _ring[.._count];
            }

            Array.Sort(sorted);
            return (sorted[(sorted.Length - 1) / 2], sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1]);
        }
    }
}
