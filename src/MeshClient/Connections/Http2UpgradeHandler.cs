using System.Net;

namespace MeshClient.Connections;

/// <summary>
/// Istio <c>h2UpgradePolicy: UPGRADE</c> on an endpoint's pool: every request goes to the endpoint as
/// HTTP/2 and nothing else (<see cref="HttpVersionPolicy.RequestVersionExact"/>: ALPN <c>h2</c> over
/// TLS, HTTP/2 prior knowledge — h2c — over cleartext), as Envoy speaks HTTP/2 to an upgraded cluster.
/// The request's own version is put back once the response headers are in, so that a retry to another
/// cluster sends what the application asked for.
/// </summary>
internal sealed class Http2UpgradeHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (version, policy) = (request.Version, request.VersionPolicy);
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.Version = version;
            request.VersionPolicy = policy;
        }
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (version, policy) = (request.Version, request.VersionPolicy);
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        try
        {
            return base.Send(request, cancellationToken);
        }
        finally
        {
            request.Version = version;
            request.VersionPolicy = policy;
        }
    }
}
