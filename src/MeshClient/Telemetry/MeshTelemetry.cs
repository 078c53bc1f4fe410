using System.Diagnostics;
using System.Diagnostics.Metrics;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Health;
using MeshClient.Http;
using MeshClient.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MeshClient.Telemetry;

/// <summary>
/// The mesh's metrics, spans and trace headers: one per runtime (its <see cref="Meter"/> comes from
/// <see cref="IMeterFactory"/> when the application registers one). The request path calls it in three
/// places — <see cref="MeshTelemetryHandler"/> around each logical request, <see cref="OnAttemptStarted"/>
/// and <see cref="EndAttempt"/> around each attempt — and each call first checks whether anything listens:
/// when nothing does, it builds no tag, no span and no string.
/// </summary>
internal sealed partial class MeshTelemetry : IDisposable
{
    public const string Name = "MeshClient";

    /// <summary>OpenTelemetry's recommended boundaries for <c>http.client.request.duration</c>, in seconds (before <see cref="Unattached"/>: static fields start in order).</summary>
    internal static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>The mesh's spans: one per logical request (client), one per attempt (internal) under it.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(MeshTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private readonly OverflowLog _overflowLog;
    private volatile TelemetrySettings _settings;
    private IstioInstruments? _istio;

    public MeshTelemetry(IOptionsMonitor<MeshOptions>? options = null, IMeterFactory? meterFactory = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _overflowLog = new OverflowLog(TimeProvider);
        var version = typeof(MeshTelemetry).Assembly.GetName().Version?.ToString();
        if (meterFactory is null)
        {
            _meter = new Meter(Name, version);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(new MeterOptions(Name) { Version = version });
        }

        Requests = _meter.CreateCounter<long>("meshclient.client.requests", "{request}", "Logical requests (after retries), with Istio's labels.");
        Duration = _meter.CreateHistogram("meshclient.client.request.duration", "s", "Duration of logical requests, retries included, with Istio's labels.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        RequestSize = _meter.CreateHistogram<long>("meshclient.client.request.body.size", "By", "Request body sizes (when known up front), with Istio's labels.");
        ResponseSize = _meter.CreateHistogram<long>("meshclient.client.response.body.size", "By", "Response body sizes (from Content-Length), with Istio's labels.");
        Attempts = _meter.CreateCounter<long>("meshclient.client.attempts", "{attempt}", "Attempts sent (or tried) upstream, by outcome.");
        Retries = _meter.CreateCounter<long>("meshclient.client.retries", "{retry}", "Retries, by Envoy retryOn reason.");
        Faults = _meter.CreateCounter<long>("meshclient.faults", "{request}", "Requests with an injected fault (Envoy DI / FI).");
        TlsFailures = _meter.CreateCounter<long>("meshclient.tls.failures", "{request}", "Requests whose upstream TLS handshake failed.");
        Ejections = _meter.CreateCounter<long>("meshclient.endpoint.ejections", "{ejection}", "Endpoints taken out of load balancing, by reason.");
        Restorations = _meter.CreateCounter<long>("meshclient.endpoint.restorations", "{restoration}", "Endpoints let back into load balancing, by reason.");
        if (options is not null)
        {
            _settings = TelemetrySettings.From(options.CurrentValue);
            _subscription = options.OnChange((o, name) =>
            {
                if (string.IsNullOrEmpty(name))
                {
                    Configure(TelemetrySettings.From(o));
                }
            });
        }
        else
        {
            _settings = TelemetrySettings.Default;
        }

        Configure(_settings);
    }

    /// <summary>Used where no runtime is (clusters built on their own, in tests): a meter of its own.</summary>
    public static MeshTelemetry Unattached { get; } = new();

    public TimeProvider TimeProvider { get; }

    public TelemetrySettings Settings => _settings;

    public Meter Meter => _meter;

    internal Counter<long> Requests { get; }

    internal Histogram<double> Duration { get; }

    internal Histogram<long> RequestSize { get; }

    internal Histogram<long> ResponseSize { get; }

    internal Counter<long> Attempts { get; }

    internal Counter<long> Retries { get; }

    internal Counter<long> Faults { get; }

    internal Counter<long> TlsFailures { get; }

    internal Counter<long> Ejections { get; }

    internal Counter<long> Restorations { get; }

    /// <summary>Whether a logical request must be watched: a span or a request-level instrument has a listener.</summary>
    public bool ObservesRequests =>
        Requests.Enabled || Duration.Enabled || RequestSize.Enabled || ResponseSize.Enabled
        || Retries.Enabled || Faults.Enabled || TlsFailures.Enabled
        || Volatile.Read(ref _istio) is { IsEnabled: true }
        || Source.HasListeners();

    /// <summary>Adds the observable instruments, which read the runtime's counters when collected (nothing on the request path).</summary>
    public void Attach(MeshRuntime runtime)
    {
        _runtime = runtime;
        ClusterInstruments.Create(_meter, runtime, this);
    }

    public void Configure(TelemetrySettings settings)
    {
        if (settings.IstioCompatibleMetrics && Volatile.Read(ref _istio) is null)
        {
            Interlocked.CompareExchange(ref _istio, new IstioInstruments(_meter), null);
        }

        _settings = settings;
    }

    /// <summary>
    /// An attempt started on <paramref name="cluster"/>: its span (when listened to), then the trace
    /// headers and <c>x-request-id</c> the service gets. The span is not left current: the next
    /// attempt's span is its sibling, not its child.
    /// </summary>
    public void OnAttemptStarted(HttpRequestMessage request, MeshResult result, AttemptContext attempt, Cluster cluster, MeshEndpoint? endpoint)
    {
        var settings = _settings;
        Activity? span = null;
        if (Source.HasListeners())
        {
            span = StartAttemptSpan(result, cluster, endpoint);
        }

        if (span is not null || Attempts.Enabled)
        {
            attempt.Observe(this, span);
        }

        var propagation = settings.PropagationFor(cluster.ServiceName);
        var context = span ?? Activity.Current;
        if (propagation != TracePropagation.None && (context is not null || settings.GenerateRequestId))
        {
            // Only then: a request without headers keeps none (its header collection is created on first use).
            TracePropagators.Inject(request.Headers, context, propagation, settings.GenerateRequestId);
        }
    }

    private static Activity? StartAttemptSpan(MeshResult result, Cluster cluster, MeshEndpoint? endpoint)
    {
        var previous = Activity.Current;
        var labels = MeshLabels.For(cluster);
        var span = Source.StartActivity(labels.AttemptSpanName, ActivityKind.Internal);
        if (span is null)
        {
            return null;
        }

        Activity.Current = previous;
        if (span.IsAllDataRequested)
        {
            var number = result.Attempts;
            span.SetTag("meshclient.attempt", number);
            span.SetTag("meshclient.cluster", labels.Name);
            if (endpoint is not null)
            {
                span.SetTag("meshclient.endpoint", endpoint.Authority);
            }

            if (number > 1)
            {
                var retries = result.Retries;
                if (retries.Count > 0)
                {
                    span.SetTag("meshclient.retry_reason", retries[^1].Reason);
                }
            }
        }

        return span;
    }

    /// <summary>An attempt that <see cref="OnAttemptStarted"/> watched ended.</summary>
    public void EndAttempt(Activity? span, Cluster cluster, in AttemptOutcome outcome)
    {
        var outcomeName = OutcomeName(outcome.Kind);
        var flags = outcome.Flags.ToEnvoyString();
        if (Attempts.Enabled)
        {
            var labels = MeshLabels.For(cluster);
            Attempts.Add(
                1,
                new(MeshLabels.DestinationService, labels.Service),
                new(MeshLabels.DestinationServiceName, labels.ServiceName),
                new(MeshLabels.ResponseCode, MeshLabels.Status(outcome.StatusCode)),
                new(MeshLabels.ResponseFlags, flags),
                new(MeshLabels.Outcome, outcomeName));
        }

        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag("meshclient.outcome", outcomeName);
            span.SetTag("meshclient.response_flags", flags);
            if (outcome.StatusCode != 0)
            {
                span.SetTag("http.response.status_code", outcome.StatusCode);
            }
        }

        if (outcome.IsFailure)
        {
            span.SetStatus(ActivityStatusCode.Error, outcome.StatusCode != 0 ? MeshLabels.Status(outcome.StatusCode) : flags);
        }

        span.Stop();
    }

    /// <summary>An endpoint went out of (or back into) load balancing: counted, and an event on the span of the request whose attempt caused it.</summary>
    public void OnAvailabilityChanged(Cluster cluster, MeshEndpoint endpoint, EndpointUnavailability reason, bool unavailable)
    {
        var instrument = unavailable ? Ejections : Restorations;
        var reasonName = reason == EndpointUnavailability.Ejected ? "outlier_detection" : "active_health";
        if (instrument.Enabled)
        {
            instrument.Add(1, new(MeshLabels.Cluster, cluster.Name), new(MeshLabels.Reason, reasonName));
        }

        if (unavailable && Activity.Current is { IsAllDataRequested: true } current && current.Source == Source)
        {
            current.AddEvent(new ActivityEvent("meshclient.endpoint_ejected", tags: new ActivityTagsCollection
            {
                ["meshclient.endpoint"] = endpoint.Authority,
                ["meshclient.reason"] = reasonName,
            }));
        }
    }

    /// <summary>A connection-pool limit refused an attempt (Envoy <c>UO</c>): logged at most once per cluster every few seconds.</summary>
    public void OnOverflow(Cluster cluster)
    {
        if (_logger.IsEnabled(LogLevel.Warning) && _overflowLog.ShouldLog(cluster, out var suppressed))
        {
            TelemetryLog.Overflow(_logger, cluster.Name, suppressed);
        }
    }

    internal IstioInstruments? Istio => Volatile.Read(ref _istio);

    internal ILogger Logger => _logger;

    private static string OutcomeName(AttemptOutcomeKind kind) => kind switch
    {
        AttemptOutcomeKind.Response => "response",
        AttemptOutcomeKind.LocalFailure => "local_failure",
        AttemptOutcomeKind.Cancelled => "cancelled",
        AttemptOutcomeKind.CallerError => "caller_error",
        _ => "overflow",
    };

    public void Dispose()
    {
        _subscription?.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

}
