using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MeshClient.Connections;

/// <summary>
/// TLS on one endpoint's <see cref="SocketsHttpHandler"/>, from the cluster's <see cref="TlsSettings"/>:
/// <list type="bullet">
/// <item>A plain <c>http://</c> request is sent over TLS the mesh opens in the <c>ConnectCallback</c>
/// (Istio's TLS origination): the application's URI and Host header stay as they are, the SNI is
/// <c>sni</c> or the host, the server certificate is checked by <see cref="ServerCertificateValidator"/>,
/// and the client certificate is sent for MUTUAL. <see cref="SocketsHttpHandler"/> keys its connection
/// pools by scheme, so such a connection only ever carries <c>http://</c> requests.</item>
/// <item>An <c>https://</c> request is already TLS: the handler's own handshake gets the same
/// certificate checks and client certificate (Istio would wrap it in a second TLS layer, which servers
/// refuse); its SNI is always the host.</item>
/// </list>
/// The material is read from the <see cref="TlsMaterialSource"/> at each handshake, so a rotation
/// reaches new connections even before the pools are replaced. While a file is missing
/// (<see cref="TlsMaterial.Unavailable"/>) every connection fails before it is opened (and, through an
/// egress proxy, every handshake is refused), naming the file: never plain text, never the OS store.
/// </summary>
internal static class TlsConnections
{
    private static readonly List<SslApplicationProtocol> Http11 = [SslApplicationProtocol.Http11];

    // h2 first; http/1.1 too, so that a server without HTTP/2 completes the handshake and the failure
    // can say what the server chose instead of an ALPN alert.
    private static readonly List<SslApplicationProtocol> Http2AndHttp11 = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    public static void Configure(SocketsHttpHandler handler, UpstreamTarget target, TlsMaterialSource source, WireSettings.TcpKeepalive? keepalive, Configuration.ProxyProtocolVersion? proxyProtocol = null)
    {
        ConfigureHandshake(handler, target, source);
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            if (source.Current.Unavailable is { } missing)
            {
                // Fail closed before connecting: no plain text, no OS trust store in the files' place.
                throw new AuthenticationException(Describe(target, host, source.Settings.Sni ?? host, missing));
            }

            // DNS_ROUND_ROBIN and DYNAMIC_DNS resolve through the mesh's name servers (bounded by the
            // first-resolution timeout; an unknown name is DF), as plain connections do.
            var endPoint = target.ResolvesOnConnect
                ? await target.ResolveAsync(host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false)
                : target.Resolve(host, context.DnsEndPoint.Port);
            var stream = await ClusterConnections.ConnectAsync(endPoint, keepalive, cancellationToken, proxyProtocol).ConfigureAwait(false);
            if (context.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttp)
            {
                return stream;
            }

            try
            {
                return await OriginateAsync(stream, host, target, source, SpeaksHttp2(context.InitialRequestMessage), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        };
    }

    /// <summary>The checks and client certificate of the handler's own handshakes (<c>https://</c> requests, and every request through an egress proxy's tunnel).</summary>
    public static void ConfigureHandshake(SocketsHttpHandler handler, UpstreamTarget target, TlsMaterialSource source)
    {
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, _) => CheckApplicationTls(source, target, sender, certificate, chain);
        if (source.Settings.Mode == Configuration.TlsMode.Mutual)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => source.Current.ClientCertificate!;
        }
    }

    /// <summary>
    /// Whether <see cref="SocketsHttpHandler"/> will speak HTTP/2 on the connection it asks for: for an
    /// <c>http://</c> request it does so (with prior knowledge, no ALPN of its own) when the request is
    /// version 2.0 or later and its <see cref="HttpRequestMessage.VersionPolicy"/> is not
    /// <see cref="HttpVersionPolicy.RequestVersionOrLower"/>; otherwise HTTP/1.1. The origination's ALPN
    /// must offer what the handler will speak, since it cannot change its mind after the handshake.
    /// </summary>
    internal static bool SpeaksHttp2(HttpRequestMessage request) =>
        request.Version.Major >= 2 && request.VersionPolicy != HttpVersionPolicy.RequestVersionOrLower;

    /// <summary>TLS origination: the handshake on the endpoint's connection, with the reason of a failure in the exception and the log.</summary>
    private static async ValueTask<Stream> OriginateAsync(Stream stream, string host, UpstreamTarget target, TlsMaterialSource source, bool http2, CancellationToken cancellationToken)
    {
        var settings = source.Settings;
        var material = source.Current;
        var sni = settings.Sni ?? host;
        string? problem = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            ApplicationProtocols = http2 ? Http2AndHttp11 : Http11,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                problem = ServerCertificateValidator.Check(settings, material, certificate, chain, sni, source.UtcNow);
                return problem is null;
            },
        };
        if (settings.Mode == Configuration.TlsMode.Mutual && material.ClientContext is { } client)
        {
            options.ClientCertificateContext = client.Context;
        }

        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            if (http2 && ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
            {
                // The handler sends the HTTP/2 preface next: a server that chose HTTP/1.1 would answer it with a 400.
                var chosen = ssl.NegotiatedApplicationProtocol.Protocol.IsEmpty ? "no protocol" : $"'{ssl.NegotiatedApplicationProtocol}'";
                problem = $"the request needs HTTP/2 (version 2.0, not RequestVersionOrLower) but the server chose {chosen} in ALPN; allow HTTP/1.1 with HttpVersionPolicy.RequestVersionOrLower";
                throw new AuthenticationException(problem);
            }

            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var reason = problem ?? ex.Message;
            TlsLog.HandshakeFailed(source.Logger, source.Cluster, target.ToString(), host, sni, reason);
            throw new AuthenticationException(Describe(target, host, sni, reason), ex);
        }
    }

    /// <summary>The check of an <c>https://</c> request's own handshake.</summary>
    private static bool CheckApplicationTls(TlsMaterialSource source, UpstreamTarget target, object sender, X509Certificate? certificate, X509Chain? chain)
    {
        var settings = source.Settings;
        var host = ServerCertificateValidator.TargetHost(sender);
        if (ServerCertificateValidator.Check(settings, source.Current, certificate, chain, settings.Sni ?? host, source.UtcNow) is not { } problem)
        {
            return true;
        }

        TlsLog.HandshakeFailed(source.Logger, source.Cluster, target.ToString(), host, host, problem);

        // Thrown rather than returning false, so that the reason reaches the caller (the handshake
        // fails with it as the inner exception of the HttpRequestException).
        throw new AuthenticationException(Describe(target, host, host, problem));
    }

    /// <summary>The reason of a TLS failure the mesh described, found in <paramref name="exception"/> or its inner exceptions.</summary>
    public static string? FailureReason(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException { Message: var message } && message.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return message;
            }
        }

        return null;
    }

    private const string Prefix = "TLS to ";

    private static string Describe(UpstreamTarget target, string host, string sni, string reason) =>
        $"{Prefix}{target} (host '{host}', SNI '{sni}') failed: {reason}.";
}
