namespace MeshClient.Configuration;

/// <summary>
/// The traffic policy of one port of a service (Istio <c>trafficPolicy.portLevelSettings[]</c>). Its
/// settings replace the service-level ones for that port and do not inherit from them.
/// </summary>
public sealed class PortTrafficPolicyOptions
{
    /// <summary>Gets or sets the service port (<see cref="ServicePortOptions.Number"/>) this policy applies to.</summary>
    /// <value>Required (Istio <c>port.number</c>).</value>
    public int Port { get; set; }

    /// <summary>Gets or sets the TLS settings of the port; <see langword="null"/> leaves the port without TLS from the mesh.</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>portLevelSettings[].tls</c>).</value>
    public TlsOptions? Tls { get; set; }

    /// <summary>
    /// Gets or sets the outlier detection of the port; <see langword="null"/> leaves the port without outlier
    /// detection, whatever the service-level <see cref="TrafficPolicyOptions.OutlierDetection"/> says.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>portLevelSettings[].outlierDetection</c>).</value>
    /// <remarks>As in Istio, a port-level entry replaces the service-level components for its port and inherits none of them.</remarks>
    public OutlierDetectionOptions? OutlierDetection { get; set; }

    /// <summary>
    /// Gets or sets the connection-pool limits and connection settings of the port; <see langword="null"/> leaves the
    /// port with Istio's defaults (no limit, 10 second connect timeout, 1 hour idle timeout), whatever the
    /// service-level <see cref="TrafficPolicyOptions.ConnectionPool"/> says.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>portLevelSettings[].connectionPool</c>).</value>
    /// <remarks>The port's cluster gets these admission limits and its endpoints' pools these settings; the service-level ones do not apply to it.</remarks>
    public ConnectionPoolOptions? ConnectionPool { get; set; }

    /// <summary>
    /// Gets or sets the load-balancing settings of the port (algorithm, consistent hash, locality, warmup);
    /// <see langword="null"/> leaves the port with Istio's default (least request, the mesh's locality
    /// settings), whatever the service-level <see cref="TrafficPolicyOptions.LoadBalancer"/> says.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>portLevelSettings[].loadBalancer</c>).</value>
    /// <remarks>The port's cluster picks its endpoints with these settings; the service-level ones do not apply to it.</remarks>
    public LoadBalancerOptions? LoadBalancer { get; set; }
}
