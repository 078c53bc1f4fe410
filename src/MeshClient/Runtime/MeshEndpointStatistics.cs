namespace MeshClient.Runtime;

/// <summary>Counters of one endpoint, as Envoy's admin <c>/clusters</c> page shows them.</summary>
/// <param name="Service">The external service.</param>
/// <param name="Cluster">Envoy's cluster name, for example <c>outbound|443||api.example.com</c>.</param>
/// <param name="Endpoint">The endpoint, <c>10.0.0.1:8080</c>.</param>
/// <param name="Weight">The load-balancing weight.</param>
/// <param name="Requests">Attempts sent to the endpoint.</param>
/// <param name="Successes">Attempts answered with a status below 500.</param>
/// <param name="Failures">Attempts answered with 5xx or not answered at all.</param>
/// <param name="InFlight">Attempts in progress.</param>
public sealed record MeshEndpointStatistics(
    string Service,
    string Cluster,
    string Endpoint,
    int Weight,
    long Requests,
    long Successes,
    long Failures,
    int InFlight)
{
    /// <summary>
    /// Gets when outlier detection lets the endpoint back into load balancing at the earliest (its ejection
    /// time after the ejection; the detector's next sweep lets it in), on the mesh's clock.
    /// </summary>
    /// <value><see langword="null"/> while outlier detection has not ejected the endpoint.</value>
    public DateTimeOffset? EjectedUntil { get; init; }
}
