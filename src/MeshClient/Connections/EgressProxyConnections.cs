using System.Net;

namespace MeshClient.Connections;

/// <summary>
/// An endpoint pool whose endpoint is an egress proxy, on <see cref="SocketsHttpHandler.Proxy"/>: the
/// handler speaks the proxy protocol (absolute-form <c>http://</c> requests, <c>CONNECT</c> tunnels for
/// <c>https://</c>, Basic authentication on a <c>407</c>), and its <c>ConnectCallback</c> opens every
/// connection to the pool's endpoint, the proxy. TLS the mesh originates (DestinationRule <c>tls</c> on
/// an <c>http://</c> request) is sent as <c>https://</c> for the attempt (<see cref="Wrap"/>), so the
/// handler tunnels it and checks the certificate against the external host inside the tunnel.
/// </summary>
internal static class EgressProxyConnections
{
    public static void Configure(SocketsHttpHandler handler, ProxySettings proxy, UpstreamTarget target, WireSettings.TcpKeepalive? keepalive, TlsMaterialSource? tls, Configuration.ProxyProtocolVersion? proxyProtocol = null)
    {
        handler.UseProxy = true;
        handler.Proxy = new MeshWebProxy(proxy);

        // The target is the proxy's endpoint: whatever host the handler connects for (the proxy's own
        // address from the URI above), the connection goes to the endpoint the pool belongs to.
        // A proxy resolved by the mesh's name servers (DNS_ROUND_ROBIN) is awaited, bounded by the first-resolution timeout.
        if (target.ResolvesOnConnect)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
                await ClusterConnections.ConnectAsync(await target.ResolveAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false), keepalive, cancellationToken, proxyProtocol).ConfigureAwait(false);
        }
        else
        {
            // The PROXY protocol header, when set, goes first on the connection to the proxy (the cluster's endpoint), as Envoy's transport socket sends it.
            handler.ConnectCallback = (context, cancellationToken) =>
                ClusterConnections.ConnectAsync(target.Resolve(context.DnsEndPoint.Host, context.DnsEndPoint.Port), keepalive, cancellationToken, proxyProtocol);
        }
        if (tls is not null)
        {
            TlsConnections.ConfigureHandshake(handler, target, tls);
        }
    }

    /// <summary>The pool's handler, under <see cref="ProxiedRequests"/> when requests must change for the proxy (TLS origination, a <c>targetPort</c>).</summary>
    public static HttpMessageHandler Wrap(HttpMessageHandler handler, WireSettings wire) =>
        wire.Proxy is { } proxy && (wire.Tls is not null || proxy.TargetPort is not null)
            ? new ProxiedRequests(wire.Tls is not null, proxy.TargetPort) { InnerHandler = handler }
            : handler;

    /// <summary>
    /// The proxy of every request of the pool: a service's pool never bypasses it (the mesh decided, with
    /// <c>NoProxy</c>, when it built the cluster); the passthrough's bypasses the hosts in <see cref="ProxySettings.NoProxy"/>.
    /// </summary>
    private sealed class MeshWebProxy(ProxySettings settings) : IWebProxy
    {
        public ICredentials? Credentials { get; set; } = settings.Credentials;

        public Uri GetProxy(Uri destination) => settings.Address;

        public bool IsBypassed(Uri host) => settings.Bypasses(host.IdnHost);
    }

    /// <summary>
    /// For one attempt, the request the proxy must see: <c>https://</c> when the mesh originates TLS, on the
    /// <c>targetPort</c>; the Host header stays the application's. The URI is restored when the attempt ends.
    /// </summary>
    private sealed class ProxiedRequests(bool originateTls, int? targetPort) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var originate = originateTls && uri.Scheme == Uri.UriSchemeHttp;
            var port = targetPort ?? uri.Port;
            if (!originate && port == uri.Port)
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var setHost = request.Headers.Host is null;
            if (setHost)
            {
                request.Headers.Host = uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            request.RequestUri = new UriBuilder(uri) { Scheme = originate ? Uri.UriSchemeHttps : uri.Scheme, Port = port }.Uri;
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                request.RequestUri = uri;
                if (setHost)
                {
                    request.Headers.Host = null;
                }
            }
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            SendAsync(request, cancellationToken).GetAwaiter().GetResult();
    }
}
