using Microsoft.Extensions.Logging;

namespace MeshClient.Connections;

/// <summary>The TLS log messages: cluster names, hosts, paths, subjects and reasons; never a key or a certificate body.</summary>
internal static partial class TlsLog
{
    [LoggerMessage(EventId = 141, Level = LogLevel.Warning, Message = "Cluster {Cluster}: tls.insecureSkipVerify is true, so server certificates are NOT checked (no CA, no name, no CRL). Never use it in production.")]
    public static partial void InsecureSkipVerify(ILogger logger, string cluster);

    [LoggerMessage(EventId = 142, Level = LogLevel.Warning, Message = "Cluster {Cluster}: TLS to {Endpoint} (host '{Host}', SNI '{Sni}') failed: {Reason}.")]
    public static partial void HandshakeFailed(ILogger logger, string cluster, string endpoint, string host, string sni, string reason);

    [LoggerMessage(EventId = 143, Level = LogLevel.Information, Message = "Cluster {Cluster}: TLS certificate files changed; new connections use them.")]
    public static partial void Reloaded(ILogger logger, string cluster);

    [LoggerMessage(EventId = 144, Level = LogLevel.Warning, Message = "Cluster {Cluster}: TLS certificate files changed but cannot be used ({Reason}); the previous ones stay in use.")]
    public static partial void ReloadFailed(ILogger logger, string cluster, string reason);

    [LoggerMessage(EventId = 145, Level = LogLevel.Warning, Message = "Cluster {Cluster}: the client certificate '{Subject}' expired at {NotAfter:u}; servers will refuse it.")]
    public static partial void ClientCertificateExpired(ILogger logger, string cluster, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 146, Level = LogLevel.Warning, Message = "Cluster {Cluster}: the client certificate '{Subject}' is not valid before {NotBefore:u}; servers will refuse it until then.")]
    public static partial void ClientCertificateNotYetValid(ILogger logger, string cluster, string subject, DateTime notBefore);

    [LoggerMessage(EventId = 147, Level = LogLevel.Warning, Message = "Cluster {Cluster}: TLS certificate material is not available ({Reason}); every connection fails with 503 UF until the file appears.")]
    public static partial void MaterialUnavailable(ILogger logger, string cluster, string reason);
}
