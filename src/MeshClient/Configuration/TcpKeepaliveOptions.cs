namespace MeshClient.Configuration;

/// <summary>
/// TCP keep-alive on the connections to a service (Istio <c>connectionPool.tcp.tcpKeepalive</c>):
/// setting it turns <c>SO_KEEPALIVE</c> on; the values left unset keep the operating system's.
/// </summary>
public sealed class TcpKeepaliveOptions
{
    /// <summary>Gets or sets how many unanswered probes close the connection.</summary>
    /// <value>Defaults to <see langword="null"/>, the operating system's (9 on Linux) (Istio <c>probes</c>). When set, at least 1.</value>
    public int? Probes { get; set; }

    /// <summary>Gets or sets how long a connection is idle before the first probe, in whole seconds.</summary>
    /// <value>Defaults to <see langword="null"/>, the operating system's (2 hours on Linux) (Istio <c>time</c>). When set, at least 1 second.</value>
    public TimeSpan? Time { get; set; }

    /// <summary>Gets or sets the time between probes, in whole seconds.</summary>
    /// <value>Defaults to <see langword="null"/>, the operating system's (75 seconds on Linux) (Istio <c>interval</c>). When set, at least 1 second.</value>
    public TimeSpan? Interval { get; set; }
}
