namespace MeshClient.Configuration;

/// <summary>The protocol of a service port (Istio <c>ServiceEntry.ports[].protocol</c>).</summary>
public enum ServiceProtocol
{
    /// <summary>Not declared: Istio sniffs the protocol (the default).</summary>
    Unspecified = 0,

    /// <summary>Plain HTTP/1.1 (Istio <c>HTTP</c>).</summary>
    Http,

    /// <summary>HTTPS: TLS the application originates (Istio <c>HTTPS</c>).</summary>
    Https,

    /// <summary>gRPC (Istio <c>GRPC</c>).</summary>
    Grpc,

    /// <summary>gRPC-Web (Istio <c>GRPC-Web</c>).</summary>
    GrpcWeb,

    /// <summary>HTTP/2 (Istio <c>HTTP2</c>).</summary>
    Http2,

    /// <summary>MongoDB (Istio <c>MONGO</c>).</summary>
    Mongo,

    /// <summary>Redis (Istio <c>REDIS</c>).</summary>
    Redis,

    /// <summary>MySQL (Istio <c>MYSQL</c>).</summary>
    Mysql,

    /// <summary>Opaque TCP (Istio <c>TCP</c>).</summary>
    Tcp,

    /// <summary>TLS routed by SNI (Istio <c>TLS</c>).</summary>
    Tls,

    /// <summary>UDP (Istio <c>UDP</c>).</summary>
    Udp,

    /// <summary>An HTTP proxy (Istio <c>HTTP_PROXY</c>).</summary>
    HttpProxy,
}
