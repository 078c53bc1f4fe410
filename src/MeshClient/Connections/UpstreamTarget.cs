using System.Net;
using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.Connections;

/// <summary>
/// Where the connections of one <see cref="SocketsHttpHandler"/> go. The request URI is never
/// rewritten: it keeps the logical host, so the Host header, HTTP/2 <c>:authority</c>, TLS SNI and
/// certificate validation all use the service name, while the handler's <c>ConnectCallback</c>
/// opens the TCP connection to this target instead of resolving the URI's host.
/// </summary>
internal sealed class UpstreamTarget
{
    private readonly EndPoint? _endpoint;
    private readonly int? _port;
    private readonly LogicalDnsAddress? _logical;
    private readonly DynamicDnsCache? _dynamic;

    private UpstreamTarget(EndPoint? endpoint, int? port, string? authority, LogicalDnsAddress? logical = null, DynamicDnsCache? dynamic = null)
    {
        _endpoint = endpoint;
        _port = port;
        Authority = authority;
        _logical = logical;
        _dynamic = dynamic;
    }

    /// <summary>Whether the address is found by the mesh's DNS when a connection opens (DNS_ROUND_ROBIN, DYNAMIC_DNS).</summary>
    public bool ResolvesOnConnect => _logical is not null || _dynamic is not null;

    /// <summary>A DNS_ROUND_ROBIN endpoint: each new connection goes to the first address of the latest answer.</summary>
    public static UpstreamTarget LogicalDns(EndpointDefinition endpoint, LogicalDnsAddress address) =>
        new(null, endpoint.Port, endpoint.Authority, logical: address);

    /// <summary>DYNAMIC_DNS: the requested host, resolved by the mesh's DNS (cached by TTL), on the requested port or <paramref name="port"/>.</summary>
    public static UpstreamTarget DynamicDns(DynamicDnsCache cache, int? port) =>
        new(null, port, null, dynamic: cache);

    /// <summary>Where a connection for <paramref name="host"/>:<paramref name="port"/> goes, resolved by the mesh's DNS when needed.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The name did not resolve (<c>HostNotFound</c>: Envoy's <c>DF</c>).</exception>
    public async ValueTask<EndPoint> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (_logical is not null)
        {
            return new IPEndPoint(await _logical.GetAsync(host, cancellationToken).ConfigureAwait(false), _port ?? port);
        }

        if (_dynamic is not null)
        {
            return new IPEndPoint(await _dynamic.GetAsync(host, cancellationToken).ConfigureAwait(false), _port ?? port);
        }

        return Resolve(host, port);
    }

    /// <summary>The requested host and port, untouched (Istio's <c>PassthroughCluster</c>, resolution NONE).</summary>
    public static UpstreamTarget Requested { get; } = new(null, null, null);

    /// <summary>
    /// Gets the fixed endpoint (<c>10.0.0.1:8080</c>), or <see langword="null"/> when the target is the
    /// requested host.
    /// </summary>
    public string? Authority { get; }

    /// <summary>Gets a value indicating whether connections go where the URI says (no <c>ConnectCallback</c> needed).</summary>
    public bool IsRequested => _endpoint is null && _port is null && !ResolvesOnConnect;

    /// <summary>
    /// A fixed endpoint: an IP address (STATIC, or an address DNS returned), a Unix domain socket (STATIC),
    /// or a host name resolved when a connection opens.
    /// </summary>
    public static UpstreamTarget Endpoint(EndpointDefinition endpoint) => new(endpoint.ToEndPoint(), null, endpoint.Authority);

    /// <summary>The requested host on another port: resolution NONE with a <c>targetPort</c> (Envoy's ORIGINAL_DST port override).</summary>
    public static UpstreamTarget RequestedHostOnPort(int port) => new(null, port, null);

    /// <summary>Where a connection for <paramref name="host"/>:<paramref name="port"/> (the request URI's) goes.</summary>
    public EndPoint Resolve(string host, int port) =>
        _endpoint ?? new DnsEndPoint(host, _port ?? port);

    /// <inheritdoc />
    public override string ToString() =>
        Authority ?? (_port is { } p ? FormattableString.Invariant($"(requested host):{p}") : "(requested host and port)");
}
