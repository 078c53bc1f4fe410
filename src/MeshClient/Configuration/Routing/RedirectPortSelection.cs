namespace MeshClient.Configuration;

/// <summary>How a redirect chooses its port when it does not set one (Istio <c>HTTPRedirect.derivePort</c>).</summary>
public enum RedirectPortSelection
{
    /// <summary>The default port of the redirect's scheme: 80 for <c>http</c>, 443 for <c>https</c> (Istio <c>FROM_PROTOCOL_DEFAULT</c>).</summary>
    FromProtocolDefault,

    /// <summary>The port the request was sent to, even when the scheme or the authority changes (Istio <c>FROM_REQUEST_PORT</c>).</summary>
    FromRequestPort,
}
