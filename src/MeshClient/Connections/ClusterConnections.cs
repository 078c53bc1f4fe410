using System.Net;
using System.Net.Sockets;
using MeshClient.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshClient.Connections;

/// <summary>
/// The wire settings of one cluster and the factory of its connection pools. Like Envoy, which
/// keeps a connection pool per upstream host, each endpoint gets its own
/// <see cref="SocketsHttpHandler"/> (owned by its <c>MeshEndpoint</c>, so it lives as long as the
/// endpoint, whatever happens to the handler chains <c>IHttpClientFactory</c> builds and recycles);
/// a passthrough cluster has one for the requested hosts.
/// </summary>
/// <remarks>
/// The request URI is not rewritten to the endpoint: the handler's <c>ConnectCallback</c> connects
/// to the endpoint while the URI keeps the logical host, which therefore is the Host header, the
/// TLS SNI and the name the server certificate is checked against — without the per-request
/// <see cref="Uri"/> and Host header that rewriting would allocate.
/// </remarks>
internal sealed class ClusterConnections : IDisposable
{
    /// <summary>How long a connection to a DNS-resolved requested host is reused (IHttpClientFactory's default handler lifetime).</summary>
    internal static readonly TimeSpan RequestedHostConnectionLifetime = TimeSpan.FromMinutes(2);

    private readonly ClusterDefinition _definition;
    private readonly ClusterHandlerFactory? _factory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action? _onTlsChanged;
    private readonly object _tlsGate = new();
    private TlsMaterialSource? _tls;

    /// <param name="definition">The cluster (its key and kind).</param>
    /// <param name="factory">The test seam, if any.</param>
    /// <param name="time">The clock of TLS certificate rotation.</param>
    /// <param name="logger">Where TLS failures and rotations are logged.</param>
    /// <param name="onTlsChanged">Called when rotated TLS certificate files were loaded: the cluster replaces its pools.</param>
    public ClusterConnections(ClusterDefinition definition, ClusterHandlerFactory? factory, TimeProvider? time = null, ILogger? logger = null, Action? onTlsChanged = null)
    {
        _definition = definition;
        _factory = factory;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _onTlsChanged = onTlsChanged;
    }

    /// <summary>The TLS material in use (for tests), or <see langword="null"/> when the cluster has no TLS settings.</summary>
    internal TlsMaterialSource? Tls => Volatile.Read(ref _tls);

    /// <summary>
    /// A new connection pool to <paramref name="target"/> built with <paramref name="wire"/>;
    /// disposing the invoker closes its connections.
    /// </summary>
    public HttpMessageInvoker Create(UpstreamTarget target, WireSettings wire)
    {
        var handler = _factory?.Create(_definition, target) ?? CreateSocketsHandler(target, wire);
        if (wire is { Proxy: null, Tls: { Sni: null } } && handler is SocketsHttpHandler)
        {
            handler = new TlsHttp2Handler(handler); // HTTP/2 through TLS origination: see there
        }
        else if (wire.Proxy is not null)
        {
            // Only then: a pool without a proxy does not even load the proxy's types (a cold first request stays fast).
            handler = EgressProxyConnections.Wrap(handler, wire);
        }

        if (wire.Http2Upgrade)
        {
            handler = new Http2UpgradeHandler(handler);
        }

        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private SocketsHttpHandler CreateSocketsHandler(UpstreamTarget target, WireSettings wire)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = wire.ConnectTimeout,

            // Istio's idle timeout (1 h unless set; 0 keeps idle connections open).
            PooledConnectionIdleTimeout = wire.IdleTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : wire.IdleTimeout,

            // Shared by every client of the cluster: never share cookies between callers, and never
            // follow a redirect below the mesh (it would bypass routing and the outbound policy).
            UseCookies = false,
            AllowAutoRedirect = false,

            // Endpoints are explicit addresses; only unknown hosts under ALLOW_ANY keep the
            // application's usual (environment) proxy.
            UseProxy = _definition.Key == ClusterKey.Passthrough,

            // The mesh writes the trace headers itself, per attempt and per service (Telemetry/TracePropagators):
            // no System.Net.Http DiagnosticsHandler here, so no second client span and no headers behind its back.
            ActivityHeadersPropagator = null,
        };

        if (wire.MaxConnectionsPerEndpoint > 0)
        {
            // The cluster-wide limit is the admission's; no endpoint may open more than all of it.
            handler.MaxConnectionsPerServer = wire.MaxConnectionsPerEndpoint;
        }

        // The requested host is resolved by DNS when a connection opens: recycle connections so that
        // DNS changes are seen (what IHttpClientFactory's handler rotation did for the application
        // before; the mesh's pools are not rotated). Istio's maxConnectionDuration may be shorter.
        TimeSpan? lifetime = target.Authority is null ? RequestedHostConnectionLifetime : null;
        if (wire.MaxConnectionDuration is { } duration && (lifetime is null || duration < lifetime))
        {
            lifetime = duration;
        }

        if (wire.OneRequestPerConnection)
        {
            // maxRequestsPerConnection: 1 — a connection is never reused.
            lifetime = TimeSpan.Zero;
        }

        else if (wire.MaxRequestsPerConnection is > 1 and var perConnection)
        {
            // maxRequestsPerConnection: N — each HTTP/1.1 connection ends before its (N+1)th request (HTTP/2 ones are not counted).
            handler.PlaintextStreamFilter = (context, _) => new ValueTask<Stream>(
                context.NegotiatedHttpVersion.Major == 1 ? new RequestCountingStream(context.PlaintextStream, perConnection) : context.PlaintextStream);
        }

        if (lifetime is { } value)
        {
            handler.PooledConnectionLifetime = value;
        }

        if (wire.Http2KeepAlive is { } ping)
        {
            // Istio http2KeepAlive (Envoy connection_keepalive): PINGs on every HTTP/2 connection, busy or idle.
            handler.KeepAlivePingDelay = ping.Interval;
            if (ping.Timeout is { } pingTimeout)
            {
                handler.KeepAlivePingTimeout = pingTimeout;
            }

            handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        }

        if (wire.Http2Upgrade)
        {
            // Envoy opens another connection when one carries its most concurrent streams; SocketsHttpHandler
            // would queue the request instead (MaxConnectionsPerServer still bounds the connections).
            handler.EnableMultipleHttp2Connections = true;
        }

        var keepalive = wire.Keepalive;
        var proxyProtocol = wire.ProxyProtocol;
        if (target.ResolvesOnConnect)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
                await ConnectAsync(await target.ResolveAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false), keepalive, cancellationToken, proxyProtocol).ConfigureAwait(false);
        }
        else if (!target.IsRequested)
        {
            handler.ConnectCallback = (context, cancellationToken) =>
                ConnectAsync(target.Resolve(context.DnsEndPoint.Host, context.DnsEndPoint.Port), keepalive, cancellationToken, proxyProtocol);
        }
        else if (keepalive is not null || proxyProtocol is not null)
        {
            // Where the URI (or the proxy) says, as SocketsHttpHandler would, with keep-alive on the socket.
            handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, keepalive, cancellationToken, proxyProtocol);
        }

        if (wire.Proxy is { } proxy)
        {
            EgressProxyConnections.Configure(handler, proxy, target, keepalive, wire.Tls is { } proxiedTls ? TlsSource(proxiedTls) : null, proxyProtocol);
        }
        else if (wire.Tls is { } tls)
        {
            TlsConnections.Configure(handler, target, TlsSource(tls), keepalive, proxyProtocol);
        }

        _factory?.Configure(handler);
        return handler;
    }

    /// <summary>
    /// Loads and watches the TLS material of <paramref name="wire"/> now, as building a pool would: the
    /// cluster's endpoints may lease pools another cluster built (<see cref="SharedEndpointPools"/>), and
    /// still fail on bad files and renew those pools when the files rotate, even after that cluster is gone.
    /// </summary>
    /// <exception cref="TlsMaterialException">The files cannot be loaded: the cluster is not built (a reload keeps the last good state).</exception>
    public void Prepare(WireSettings wire)
    {
        if (wire.Tls is { } tls && _factory?.ReplacesHandlers != true)
        {
            TlsSource(tls);
        }
    }

    /// <summary>Stops watching TLS certificate files.</summary>
    public void Dispose()
    {
        lock (_tlsGate)
        {
            _tls?.Dispose();
            _tls = null;
        }
    }

    /// <summary>The material of <paramref name="tls"/>: the current source, or a new one when the settings changed (a reload).</summary>
    /// <exception cref="TlsMaterialException">The files cannot be loaded: the cluster is not built (a reload keeps the last good state).</exception>
    private TlsMaterialSource TlsSource(TlsSettings tls)
    {
        lock (_tlsGate)
        {
            if (_tls is { } current && current.Settings == tls)
            {
                return current;
            }

            var next = new TlsMaterialSource(tls, _time, _logger, _definition.Key.ToString(), _onTlsChanged);
            _tls?.Dispose();
            Volatile.Write(ref _tls, next);
            return next;
        }
    }

    /// <summary>
    /// What <see cref="SocketsHttpHandler"/> does by default, to another end point, with TCP keep-alive when
    /// <paramref name="keepalive"/> is set, then the PROXY protocol header when <paramref name="proxyProtocol"/> is.
    /// </summary>
    internal static async ValueTask<Stream> ConnectAsync(EndPoint endPoint, WireSettings.TcpKeepalive? keepalive, CancellationToken cancellationToken, Configuration.ProxyProtocolVersion? proxyProtocol = null)
    {
        var socket = endPoint switch
        {
            IPEndPoint ip => new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp),
            UnixDomainSocketEndPoint => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
            _ => new Socket(SocketType.Stream, ProtocolType.Tcp), // dual mode: a host name may resolve to either family
        };
        try
        {
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                // TCP only: a Unix domain socket has neither Nagle's algorithm nor keep-alive probes.
                socket.NoDelay = true;
                if (keepalive is not null)
                {
                    SetKeepalive(socket, keepalive);
                }
            }

            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (proxyProtocol is { } version)
            {
                await ProxyProtocolHeader.WriteAsync(stream, socket, version, cancellationToken).ConfigureAwait(false);
            }

            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Istio <c>tcpKeepalive</c>: <c>SO_KEEPALIVE</c>, and the idle time, interval and probe count that are set.</summary>
    internal static void SetKeepalive(Socket socket, WireSettings.TcpKeepalive keepalive)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        if (keepalive.TimeSeconds is { } time)
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, time);
        }

        if (keepalive.IntervalSeconds is { } interval)
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, interval);
        }

        if (keepalive.Probes is { } probes)
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, probes);
        }
    }
}
