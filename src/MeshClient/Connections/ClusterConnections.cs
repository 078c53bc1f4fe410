using System.Net;
using System.Net.Sockets;
using MeshClient.Model;

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
internal sealed class ClusterConnections
{
    /// <summary>How long a connection to a DNS-resolved requested host is reused (IHttpClientFactory's default handler lifetime).</summary>
    internal static readonly TimeSpan RequestedHostConnectionLifetime = TimeSpan.FromMinutes(2);

    private readonly ClusterDefinition _definition;
    private readonly ClusterHandlerFactory? _factory;

    public ClusterConnections(ClusterDefinition definition, ClusterHandlerFactory? factory)
    {
        _definition = definition;
        _factory = factory;
    }

    /// <summary>
    /// A new connection pool to <paramref name="target"/> built with <paramref name="wire"/>;
    /// disposing the invoker closes its connections.
    /// </summary>
    public HttpMessageInvoker Create(UpstreamTarget target, WireSettings wire)
    {
        var handler = _factory?.Create(_definition, target) ?? CreateSocketsHandler(target, wire);
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private SocketsHttpHandler CreateSocketsHandler(UpstreamTarget target, WireSettings wire)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = wire.ConnectTimeout,

            // Shared by every client of the cluster: never share cookies between callers, and never
            // follow a redirect below the mesh (it would bypass routing and the outbound policy).
            UseCookies = false,
            AllowAutoRedirect = false,

            // Endpoints are explicit addresses; only unknown hosts under ALLOW_ANY keep the
            // application's usual (environment) proxy.
            UseProxy = _definition.Key == ClusterKey.Passthrough,
        };

        if (target.Authority is null)
        {
            // The requested host is resolved by DNS when a connection opens: recycle connections
            // so that DNS changes are seen (what IHttpClientFactory's handler rotation did for the
            // application before; the mesh's pools are not rotated).
            handler.PooledConnectionLifetime = RequestedHostConnectionLifetime;
        }

        if (target.ResolvesOnConnect)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
                await ConnectAsync(await target.ResolveAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        else if (!target.IsRequested)
        {
            handler.ConnectCallback = (context, cancellationToken) =>
                ConnectAsync(target.Resolve(context.DnsEndPoint.Host, context.DnsEndPoint.Port), cancellationToken);
        }

        _factory?.Configure(handler);
        return handler;
    }

    /// <summary>What <see cref="SocketsHttpHandler"/> does by default, to another end point.</summary>
    internal static async ValueTask<Stream> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp); // dual mode: a host name may resolve to either family
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
