namespace MeshClient.Configuration;

/// <summary>
/// HTTP/2 PING keep-alive on the connections to a service (Istio <c>connectionPool.http.http2KeepAlive</c>):
/// <see cref="SocketsHttpHandler.KeepAlivePingDelay"/>, <see cref="SocketsHttpHandler.KeepAlivePingTimeout"/>
/// and <see cref="HttpKeepAlivePingPolicy.Always"/>, for HTTP/2 connections only.
/// </summary>
public sealed class Http2KeepAliveOptions
{
    /// <summary>Gets or sets how long a connection is silent before a PING is sent.</summary>
    /// <value>Defaults to <see langword="null"/>: no PINGs (Istio <c>interval</c>). When set, at least 1 second, in whole milliseconds.</value>
    public TimeSpan? Interval { get; set; }

    /// <summary>Gets or sets how long the answer to a PING may take before the connection is closed.</summary>
    /// <value>Defaults to <see langword="null"/>: 20 seconds, .NET's (Istio <c>timeout</c>). When set, at least 1 second, in whole milliseconds.</value>
    public TimeSpan? Timeout { get; set; }
}
