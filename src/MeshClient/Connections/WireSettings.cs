namespace MeshClient.Connections;

/// <summary>
/// The settings of a cluster's connection pools. They live with the cluster's state: when a reload
/// changes them, every endpoint gets a new pool built with them, and attempts in flight finish on
/// the old pool, which closes when its last attempt ends.
/// </summary>
/// <remarks>Pool limits join these settings when that feature arrives.</remarks>
internal sealed record WireSettings
{
    /// <summary>Istio's default <c>connectTimeout</c> (MeshConfig), 10 seconds.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    public static WireSettings Default { get; } = new();

    /// <summary>The TCP connect timeout (Istio <c>connectionPool.tcp.connectTimeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// TLS to the endpoints (Istio <c>trafficPolicy.tls</c> or <c>portLevelSettings[].tls</c>), or
    /// <see langword="null"/> when the mesh leaves TLS to the application (no <c>tls</c>, or DISABLE).
    /// </summary>
    public TlsSettings? Tls { get; init; }
}
