using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MeshClient.Telemetry;

/// <summary>The logical request: its client span and Istio's request metrics, recorded once from its final result.</summary>
internal sealed partial class MeshTelemetry
{
    /// <summary>Starts the request's client span, named for the destination host, when something listens.</summary>
    public static Activity? StartRequest(HttpRequestMessage request)
    {
        if (!Source.HasListeners() || request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            return null;
        }

        var span = Source.StartActivity(uri.IdnHost, ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("http.request.method", request.Method.Method);
            span.SetTag("server.address", uri.IdnHost);
            span.SetTag("server.port", uri.Port);
            span.SetTag("url.scheme", uri.Scheme);
        }

        return span;
    }

    /// <summary>The request ended, with <paramref name="response"/> or <paramref name="error"/>: the span's end and the request metrics.</summary>
    public void EndRequest(HttpRequestMessage request, HttpResponseMessage? response, Exception? error, Activity? span, long start)
    {
        var elapsed = TimeProvider.GetElapsedTime(start);
        var result = request.GetMeshResult();
        var flags = result?.Flags ?? (error as MeshException)?.Flags ?? MeshResponseFlags.None;
        var status = response is not null ? (int)response.StatusCode : error is HttpRequestException { StatusCode: { } code } ? (int)code : 0;
        var labels = result?.TargetCluster is { } cluster ? DestinationOf(result, cluster)
            : (flags & MeshResponseFlags.NoRouteFound) != 0 ? ClusterLabels.BlackHole : ClusterLabels.None;
        var flagText = flags.ToEnvoyString();

        if (span is not null)
        {
            EndSpan(span, result, labels, status, flagText, flags, error);
        }

        var settings = _settings;
        var istio = settings.IstioCompatibleMetrics ? Volatile.Read(ref _istio) : null;
        if (Requests.Enabled || Duration.Enabled || RequestSize.Enabled || ResponseSize.Enabled || istio is { IsEnabled: true })
        {
            var tags = default(RequestTags);
            tags[0] = new(MeshLabels.Reporter, "source");
            tags[1] = new(MeshLabels.SourceWorkload, settings.SourceWorkload);
            tags[2] = new(MeshLabels.SourceWorkloadNamespace, settings.SourceWorkloadNamespace);
            tags[3] = new(MeshLabels.DestinationService, labels.Service);
            tags[4] = new(MeshLabels.DestinationServiceName, labels.ServiceName);
            tags[5] = new(MeshLabels.DestinationPort, labels.Port);
            tags[6] = new(MeshLabels.DestinationSubset, labels.Subset);
            tags[7] = new(MeshLabels.RequestProtocol, labels.Protocol);
            tags[8] = new(MeshLabels.ResponseCode, MeshLabels.Status(status));
            tags[9] = new(MeshLabels.ResponseFlags, flagText);
            ReadOnlySpan<KeyValuePair<string, object?>> all = tags;
            var requestBytes = request.Content?.Headers.ContentLength ?? 0;
            var responseBytes = response?.Content.Headers.ContentLength;
            Requests.Add(1, all);
            Duration.Record(elapsed.TotalSeconds, all);
            RequestSize.Record(requestBytes, all);
            if (responseBytes is { } known)
            {
                ResponseSize.Record(known, all);
            }

            if (istio is not null)
            {
                istio.Requests.Add(1, all);
                istio.Duration.Record(elapsed.TotalMilliseconds, all);
                istio.RequestSize.Record(requestBytes, all);
                if (responseBytes is { } bytes)
                {
                    istio.ResponseSize.Record(bytes, all);
                }
            }
        }

        if (result is null)
        {
            return;
        }

        if (Retries.Enabled && result.Attempts > 1)
        {
            foreach (var retry in result.Retries)
            {
                Retries.Add(1, new(MeshLabels.DestinationServiceName, labels.ServiceName), new(MeshLabels.Reason, retry.Reason));
            }
        }

        if (Faults.Enabled && (flags & (MeshResponseFlags.DelayInjected | MeshResponseFlags.FaultInjected)) != 0)
        {
            Faults.Add(1, new(MeshLabels.DestinationServiceName, labels.ServiceName), new(MeshLabels.ResponseFlags, flagText));
        }

        if (TlsFailures.Enabled && result.UpstreamTransportFailureReason is not null)
        {
            TlsFailures.Add(1, new KeyValuePair<string, object?>(MeshLabels.DestinationServiceName, labels.ServiceName));
        }
    }

    private static void EndSpan(Activity span, MeshResult? result, ClusterLabels labels, int status, string flagText, MeshResponseFlags flags, Exception? error)
    {
        if (span.IsAllDataRequested)
        {
            if (status != 0)
            {
                span.SetTag("http.response.status_code", status);
            }

            span.SetTag("meshclient.response_flags", flagText);
            span.SetTag("meshclient.cluster", labels.Name);
            span.SetTag("meshclient.destination_service", labels.Service);
            if (result is not null)
            {
                span.SetTag("meshclient.attempts", result.Attempts);
                if (result.Endpoint is { } endpoint)
                {
                    span.SetTag("meshclient.endpoint", endpoint);
                }

                if (result.FromCache)
                {
                    span.SetTag("meshclient.from_cache", true);
                    span.AddEvent(new ActivityEvent("meshclient.fallback_served"));
                }
            }

            if ((flags & (MeshResponseFlags.DelayInjected | MeshResponseFlags.FaultInjected)) != 0)
            {
                span.AddEvent(new ActivityEvent("meshclient.fault_injected", tags: new ActivityTagsCollection { ["meshclient.response_flags"] = flagText }));
            }
        }

        if (error is not null)
        {
            span.SetTag("error.type", error.GetType().FullName);
            span.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        else if (status >= 500)
        {
            span.SetTag("error.type", MeshLabels.Status(status));
            span.SetStatus(ActivityStatusCode.Error);
        }

        span.Stop();
    }

    /// <summary>Istio's ten request labels, inline (a <c>TagList</c> holds eight before it allocates).</summary>
    [InlineArray(10)]
    private struct RequestTags
    {
        private KeyValuePair<string, object?> _first;
    }
}
