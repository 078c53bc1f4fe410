using System.Diagnostics;
using System.Net.Http.Headers;
using MeshClient.Configuration;

namespace MeshClient.Telemetry;

/// <summary>
/// Writes the trace context of an attempt into its request: W3C through the runtime's
/// <see cref="DistributedContextPropagator.Current"/> (so an application's own propagator applies),
/// Zipkin's B3 (multi-header and single header) here. Each attempt replaces the previous attempt's
/// values; <c>x-request-id</c> is added once and kept across retries.
/// </summary>
internal static class TracePropagators
{
    public const string RequestId = "x-request-id";
    public const string B3TraceId = "x-b3-traceid";
    public const string B3SpanId = "x-b3-spanid";
    public const string B3ParentSpanId = "x-b3-parentspanid";
    public const string B3Sampled = "x-b3-sampled";
    public const string B3 = "b3";

    public static void Inject(HttpRequestHeaders headers, Activity? activity, TracePropagation propagation, bool requestId)
    {
        if (requestId && !headers.NonValidated.Contains(RequestId))
        {
            headers.TryAddWithoutValidation(RequestId, RequestIds.NewId());
        }

        if (activity is null)
        {
            return; // no trace to continue (as System.Net.Http: without an Activity, no trace headers)
        }

        if ((propagation & TracePropagation.W3C) != 0)
        {
            DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, name, value) =>
            {
                if (carrier is HttpRequestHeaders target && name is not null)
                {
                    Set(target, name, value);
                }
            });
        }

        if ((propagation & (TracePropagation.B3Multi | TracePropagation.B3Single)) == 0 || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return;
        }

        var traceId = activity.TraceId.ToHexString();
        var spanId = activity.SpanId.ToHexString();
        var sampled = (activity.ActivityTraceFlags & ActivityTraceFlags.Recorded) != 0 ? "1" : "0";
        if ((propagation & TracePropagation.B3Multi) != 0)
        {
            Set(headers, B3TraceId, traceId);
            Set(headers, B3SpanId, spanId);
            Set(headers, B3Sampled, sampled);
            if (activity.ParentSpanId != default)
            {
                Set(headers, B3ParentSpanId, activity.ParentSpanId.ToHexString());
            }
            else
            {
                headers.Remove(B3ParentSpanId);
            }
        }

        if ((propagation & TracePropagation.B3Single) != 0)
        {
            Set(headers, B3, string.Concat(traceId, "-", spanId, "-", sampled));
        }
    }

    private static void Set(HttpRequestHeaders headers, string name, string? value)
    {
        headers.Remove(name);
        if (value is not null)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
