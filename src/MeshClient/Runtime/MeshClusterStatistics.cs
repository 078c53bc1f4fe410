namespace MeshClient.Runtime;

/// <summary>
/// The connection-pool counters of one cluster (Envoy's circuit-breaker gauges and overflow
/// counters). With per-endpoint limits, the sums over the endpoints.
/// </summary>
/// <param name="Service">The external service.</param>
/// <param name="Cluster">Envoy's cluster name, for example <c>outbound|443||api.example.com</c>.</param>
/// <param name="ActiveRequests">Requests admitted and not ended, sent or waiting for a connection (Envoy <c>rq_active</c> plus <c>rq_pending_active</c>); counted only while a limit is set.</param>
/// <param name="PendingRequests">Requests waiting for a connection (Envoy <c>rq_pending_active</c>).</param>
/// <param name="ActiveConnections">Connections busy with an HTTP/1.1 request, counted while <c>maxConnections</c> is set.</param>
/// <param name="ActiveRetries">Retries in flight (Envoy <c>rq_retry_active</c>).</param>
/// <param name="Overflows">Requests refused by a limit, 503 <c>UO</c> (Envoy <c>upstream_rq_pending_overflow</c> plus <c>upstream_rq_overflow</c>).</param>
/// <param name="RetryOverflows">Retries not made because <c>maxRetries</c> were in flight (Envoy <c>upstream_rq_retry_overflow</c>).</param>
public sealed record MeshClusterStatistics(
    string Service,
    string Cluster,
    int ActiveRequests,
    int PendingRequests,
    int ActiveConnections,
    int ActiveRetries,
    long Overflows,
    long RetryOverflows);
