namespace MeshClient.Configuration;

/// <summary>
/// An abort: the request is answered in place of the service, without an upstream attempt (Istio
/// <c>HTTPFaultInjection.Abort</c>; Envoy flag <c>FI</c>). Set <see cref="HttpStatus"/> or <see cref="GrpcStatus"/>.
/// </summary>
public sealed class HttpFaultAbortOptions
{
    /// <summary>Gets or sets the HTTP status of the answer (body <c>fault filter abort</c>).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>httpStatus</c>): 200 to 599.</value>
    public int? HttpStatus { get; set; }

    /// <summary>Gets or sets the gRPC status of the answer, by name (<c>UNAVAILABLE</c>): HTTP 200 with <c>grpc-status</c>.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>grpcStatus</c>).</value>
    public string? GrpcStatus { get; set; }

    /// <summary>Gets or sets the percentage of requests aborted, 0 to 100 (up to four decimals).</summary>
    /// <value>Defaults to <see langword="null"/>: no request, as in Istio (Istio <c>percentage.value</c>).</value>
    public double? Percentage { get; set; }
}
