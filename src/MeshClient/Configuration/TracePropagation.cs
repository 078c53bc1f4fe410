namespace MeshClient.Configuration;

/// <summary>The trace-context headers the mesh sends upstream with every attempt (combine them to send several).</summary>
[Flags]
public enum TracePropagation
{
    /// <summary>No trace context and no generated <c>x-request-id</c>: nothing identifies the caller's trace to the upstream.</summary>
    None = 0,

    /// <summary>W3C <c>traceparent</c> / <c>tracestate</c> (and baggage), written by <see cref="System.Diagnostics.DistributedContextPropagator.Current"/>.</summary>
    W3C = 1,

    /// <summary>Zipkin's multi-header B3: <c>x-b3-traceid</c>, <c>x-b3-spanid</c>, <c>x-b3-sampled</c>.</summary>
    B3Multi = 2,

    /// <summary>Zipkin's single <c>b3</c> header: <c>{traceid}-{spanid}-{sampled}</c>.</summary>
    B3Single = 4,
}
