using System.Diagnostics.Metrics;

namespace MeshClient.Telemetry;

/// <summary>
/// The request metrics under Istio's names (<c>MeshTelemetryOptions.IstioCompatibleMetrics</c>): a
/// Prometheus exporter shows them as <c>istio_requests_total</c>, <c>istio_request_duration_milliseconds_bucket</c>,
/// <c>istio_request_bytes_bucket</c> and <c>istio_response_bytes_bucket</c>, with Istio's buckets.
/// </summary>
internal sealed class IstioInstruments
{
    /// <summary>Istio's default boundaries for <c>istio_request_duration_milliseconds</c>.</summary>
    internal static readonly double[] MillisecondsBuckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    /// <summary>Istio's boundaries for the byte distributions (powers of ten up to 1 GB).</summary>
    internal static readonly long[] ByteBuckets = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

    public IstioInstruments(Meter meter)
    {
        // The Prometheus exporter adds "_total" to a counter's name (and keeps a name that has it).
        Requests = meter.CreateCounter<long>("istio_requests", null, "Istio-compatible: requests, as istio_requests_total.");
        Duration = meter.CreateHistogram("istio_request_duration_milliseconds", "ms", "Istio-compatible: request duration in milliseconds.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondsBuckets });
        RequestSize = meter.CreateHistogram("istio_request_bytes", "By", "Istio-compatible: request body sizes.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = ByteBuckets });
        ResponseSize = meter.CreateHistogram("istio_response_bytes", "By", "Istio-compatible: response body sizes.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = ByteBuckets });
    }

    public Counter<long> Requests { get; }

    public Histogram<double> Duration { get; }

    public Histogram<long> RequestSize { get; }

    public Histogram<long> ResponseSize { get; }

    public bool IsEnabled => Requests.Enabled || Duration.Enabled || RequestSize.Enabled || ResponseSize.Enabled;
}
