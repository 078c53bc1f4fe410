namespace MeshClient.Configuration;

/// <summary>How connections to a service's endpoints are secured (Istio <c>ClientTLSSettings.mode</c>).</summary>
public enum TlsMode
{
    /// <summary>
    /// No TLS from the mesh (Istio <c>DISABLE</c>): the request goes out as the application sent it —
    /// plain HTTP for <c>http://</c>, the application's own TLS (checked against the OS trust store) for <c>https://</c>.
    /// </summary>
    Disable = 0,

    /// <summary>
    /// TLS to the endpoint (Istio <c>SIMPLE</c>): a plain <c>http://</c> request is sent over TLS (TLS
    /// origination), and the server certificate is checked against <see cref="TlsOptions.CaCertificates"/>
    /// and <see cref="TlsOptions.SubjectAltNames"/>.
    /// </summary>
    Simple,

    /// <summary>
    /// <see cref="Simple"/> plus a client certificate (Istio <c>MUTUAL</c>) from
    /// <see cref="TlsOptions.ClientCertificate"/> and <see cref="TlsOptions.PrivateKey"/>, or from
    /// <see cref="TlsOptions.CredentialName"/>.
    /// </summary>
    Mutual,

    /// <summary>
    /// Istio's mesh mTLS (Istio <c>ISTIO_MUTUAL</c>). Not supported: it needs the workload identity
    /// certificates istiod issues to sidecars, which an application outside the mesh does not have;
    /// configuration with it is rejected. Use <see cref="Mutual"/> with your own certificate.
    /// </summary>
    IstioMutual,
}
