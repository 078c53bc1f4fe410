namespace MeshClient.Configuration;

/// <summary>Whether HTTP/1.1 requests are sent to a service's endpoints as HTTP/2 (Istio <c>connectionPool.http.h2UpgradePolicy</c>).</summary>
public enum H2UpgradePolicy
{
    /// <summary>The mesh's default, which is not to upgrade (Istio <c>DEFAULT</c>; MeshConfig <c>h2UpgradePolicy</c> is <c>DO_NOT_UPGRADE</c> unless set). The request's own version is sent.</summary>
    Default = 0,

    /// <summary>Do not upgrade (Istio <c>DO_NOT_UPGRADE</c>): the request's own version is sent.</summary>
    DoNotUpgrade = 1,

    /// <summary>
    /// Send every request to the endpoints as HTTP/2 (Istio <c>UPGRADE</c>): over TLS by ALPN <c>h2</c> only,
    /// over cleartext (<c>http://</c>) with HTTP/2 prior knowledge (h2c), so the endpoint must speak HTTP/2.
    /// </summary>
    Upgrade = 2,
}
