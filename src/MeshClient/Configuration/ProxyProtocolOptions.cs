namespace MeshClient.Configuration;

/// <summary>
/// Sends the PROXY protocol header first on every connection to the service's endpoints (Istio
/// DestinationRule <c>trafficPolicy.proxyProtocol</c>, Envoy's upstream <c>proxy_protocol</c> transport
/// socket), for servers that require it: the connection's own source and destination addresses and
/// ports, before any TLS. See docs/connection-pool.md.
/// </summary>
public sealed class ProxyProtocolOptions
{
    /// <summary>Gets or sets the version of the header.</summary>
    /// <value>Defaults to <see cref="ProxyProtocolVersion.V1"/> (Istio <c>version</c>, whose default is <c>V1</c>).</value>
    public ProxyProtocolVersion Version { get; set; }
}

/// <summary>The PROXY protocol version (HAProxy's specification).</summary>
public enum ProxyProtocolVersion
{
    /// <summary>The human-readable line, <c>PROXY TCP4 10.0.0.5 10.0.0.1 51234 443\r\n</c> (Istio <c>V1</c>).</summary>
    V1,

    /// <summary>The binary header (Istio <c>V2</c>).</summary>
    V2,
}
