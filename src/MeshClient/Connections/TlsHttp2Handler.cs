namespace MeshClient.Connections;

/// <summary>
/// HTTP/2 through TLS origination. <see cref="SocketsHttpHandler"/> writes the <c>:scheme</c> of an
/// <c>http://</c> request as <c>http</c>, even over the TLS the mesh opened, and strict HTTP/2 servers
/// (Kestrel) reset such a stream (<c>PROTOCOL_ERROR</c>); Envoy sends <c>https</c> on an upstream TLS
/// connection. So an <c>http://</c> request of version 2.0 or later goes down as <c>https://</c> for the
/// send: the handler does the TLS itself — ALPN <c>h2</c> and <c>http/1.1</c> as the request's
/// <see cref="HttpRequestMessage.VersionPolicy"/> allows, SNI the host, the cluster's certificate checks
/// and client certificate (<see cref="TlsConnections.ConfigureHandshake"/>) — and the application's URI
/// and Host header are put back before the response returns. Used when no <c>sni</c> is set (the
/// handler's SNI is always the host).
/// </summary>
internal sealed class TlsHttp2Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Version.Major < 2 || request.RequestUri is not { Scheme: "http" } uri)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // The same port (the endpoint is chosen by the ConnectCallback), and the Host the application's URI gives.
        var hostSet = request.Headers.Host is not null;
        request.RequestUri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps, Port = uri.Port }.Uri;
        if (!hostSet)
        {
            request.Headers.Host = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
        }

        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.RequestUri = uri;
            if (!hostSet)
            {
                request.Headers.Host = null;
            }
        }
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();
}
