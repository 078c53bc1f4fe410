namespace MeshClient.Configuration;

/// <summary>
/// Metrics, traces and the headers that carry trace context upstream. The mesh's <c>Meter</c> and
/// <c>ActivitySource</c> are both named <c>MeshClient</c>; nothing is measured or built while nobody
/// listens to them. See docs/observability.md.
/// </summary>
public sealed class MeshTelemetryOptions
{
    /// <summary>Gets or sets the name of this application as the <c>source_workload</c> label of the request metrics.</summary>
    /// <value>Defaults to <see langword="null"/>: the label is <c>unknown</c>, as Istio reports missing information.</value>
    public string? SourceWorkload { get; set; }

    /// <summary>Gets or sets the namespace of this application as the <c>source_workload_namespace</c> label.</summary>
    /// <value>Defaults to <see langword="null"/>: the label is <c>unknown</c>.</value>
    public string? SourceWorkloadNamespace { get; set; }

    /// <summary>
    /// Gets or sets whether the request metrics are also recorded under Istio's names
    /// (<c>istio_requests_total</c>, <c>istio_request_duration_milliseconds</c>, <c>istio_request_bytes</c>,
    /// <c>istio_response_bytes</c>), so that Istio's dashboards and alerts work on a Prometheus scrape unchanged.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="false"/>: only the OpenTelemetry-style names (<c>meshclient.client.requests</c>,
    /// <c>meshclient.client.request.duration</c>, ...) are recorded. Both carry Istio's labels.
    /// </value>
    public bool IstioCompatibleMetrics { get; set; }

    /// <summary>Gets or sets the trace-context headers sent with every attempt, continuing the caller's current <c>Activity</c>.</summary>
    /// <value>Defaults to <see cref="TracePropagation.W3C"/>. A service can choose its own (<see cref="ExternalServiceOptions.TracePropagation"/>).</value>
    public TracePropagation Propagation { get; set; } = TracePropagation.W3C;

    /// <summary>
    /// Gets or sets whether a request without an <c>x-request-id</c> header gets one (a random UUID), kept
    /// across its retries, as Envoy does. Not sent to services whose propagation is <see cref="TracePropagation.None"/>.
    /// </summary>
    /// <value>Defaults to <see langword="true"/> (Envoy's default; Istio <c>proxyHeaders.requestId</c>).</value>
    public bool GenerateRequestId { get; set; } = true;

    /// <summary>
    /// Gets or sets whether every attempt carries <c>x-envoy-attempt-count</c> (1 for the first attempt,
    /// 2 for the first retry, ...), as Istio's sidecars send it. A header the caller set is left as it is
    /// when this is off.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="true"/> (Istio's default: Envoy's <c>include_request_attempt_count</c>;
    /// Istio <c>proxyHeaders.attemptCount.disabled</c> turns it off).
    /// </value>
    public bool IncludeAttemptCount { get; set; } = true;

    /// <summary>
    /// Gets or sets whether the per-endpoint gauges carry the endpoint's address (<c>endpoint</c> label).
    /// Addresses change with DNS, so they are left out by default to keep the number of series small.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>: in-flight attempts are reported per cluster.</value>
    public bool EndpointLabels { get; set; }
}
