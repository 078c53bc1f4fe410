namespace MeshClient.Runtime;

/// <summary>Counters and outlier-detection state of one endpoint, as Envoy's admin <c>/clusters</c> page shows them.</summary>
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
    /// <summary>Gets a value indicating whether outlier detection has the endpoint out of the load balancer.</summary>
    /// <value><see langword="false"/> when the cluster has no outlier detection (Envoy's <c>/failed_outlier_check</c> health flag).</value>
    /// <remarks>While every endpoint is ejected below <c>minHealthPercent</c>, the load balancer panics and still uses it.</remarks>
    public bool IsEjected { get; init; }

    /// <summary>
    /// Gets when the current ejection's time is up: <c>min(baseEjectionTime × multiplier, maxEjectionTime)</c> after
    /// it began. The endpoint returns at the first outlier-detection sweep (<c>interval</c>) at or after this
    /// time, or earlier when an active health check passes.
    /// </summary>
    /// <value><see langword="null"/> when the endpoint is not ejected; may be in the past while it waits for the sweep.</value>
    public DateTimeOffset? EjectedUntil { get; init; }

    /// <summary>Gets how many times outlier detection has ejected the endpoint since it joined the cluster.</summary>
    /// <value>0 when it never was; the count survives un-ejection, handler rotation and reloads that keep the endpoint.</value>
    public long Ejections { get; init; }

    /// <summary>Gets why the endpoint was ejected.</summary>
    /// <value>The reason of the current ejection, or <see langword="null"/> when the endpoint is not ejected.</value>
    public MeshEjectionReason? EjectionReason { get; init; }
}
