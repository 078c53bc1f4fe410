using System.Net;
using System.Net.Http.Headers;
using MeshClient.Configuration;

namespace MeshClient.Http;

/// <summary>
/// The responses (or, in <see cref="MeshFailureMode.Throw"/> mode, exceptions) for requests the mesh
/// ends itself, with Envoy's status codes and body texts (Envoy's response flags: envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage).
/// </summary>
internal static class MeshResponses
{
    /// <summary>Names the host that REGISTRY_ONLY blocked.</summary>
    public const string BlockedHostHeader = "x-mesh-blocked-host";

    /// <summary>Carries the Envoy response flags of a response the mesh made itself.</summary>
    public const string FlagsHeader = "x-mesh-response-flags";

    public const string NoHealthyUpstreamBody = "no healthy upstream";
    public const string ConnectionFailureBody = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
    public const string ConnectionTerminationBody = "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
    public const string TimeoutBody = "upstream request timeout";
    public const string OverflowBody = "upstream connect error or disconnect/reset before headers. reset reason: overflow";

    /// <summary>Envoy's header on a response that a circuit breaker (connection-pool limit) ended.</summary>
    public const string OverloadedHeader = "x-envoy-overloaded";

    public const string DnsFailureBody = "upstream connect error or disconnect/reset before headers. reset reason: dns resolution failure";

    private static readonly MediaTypeHeaderValue TextPlain = new("text/plain");

    public static HttpResponseMessage Blocked(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, string host, int port)
    {
        result.Flags |= MeshResponseFlags.NoRouteFound;
        if (mode == MeshFailureMode.Throw)
        {
            throw new MeshNoRouteException(host, port) { Result = result };
        }

        var response = Create(request, result, HttpStatusCode.BadGateway, MeshNoRouteException.BlockedMessage(host, port));
        response.Headers.TryAddWithoutValidation(BlockedHostHeader, host);
        return response;
    }

    public static HttpResponseMessage UpstreamFailure(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, MeshResponseFlags flags, Exception? cause)
    {
        result.Flags |= flags;
        var overflow = (flags & MeshResponseFlags.UpstreamOverflow) != 0;
        var body = overflow ? OverflowBody
            : (flags & MeshResponseFlags.NoHealthyUpstream) != 0 ? NoHealthyUpstreamBody
            : (flags & MeshResponseFlags.UpstreamConnectionTermination) != 0 ? ConnectionTerminationBody
            : (flags & MeshResponseFlags.DnsResolutionFailure) != 0 ? DnsFailureBody
            : ConnectionFailureBody;
        if ((flags & MeshResponseFlags.UpstreamConnectionFailure) != 0 && Connections.TlsConnections.FailureReason(cause) is { } reason)
        {
            // Envoy's body carries the transport failure reason too.
            result.UpstreamTransportFailureReason = reason;
            body += ", transport failure reason: " + reason;
        }

        if (mode == MeshFailureMode.Throw)
        {
            var target = result.Endpoint ?? request.RequestUri?.Authority;
            throw new MeshUpstreamException($"{body} {Context(result, target)}", result.Flags, result.Endpoint, cause)
            {
                Result = result,
            };
        }

        var response = Create(request, result, HttpStatusCode.ServiceUnavailable, body);
        if (overflow)
        {
            response.Headers.TryAddWithoutValidation(OverloadedHeader, "true");
        }

        return response;
    }

    /// <summary>
    /// The application's Host header names another service than the request URI (see
    /// <see cref="MeshRouter.IsMisdirected"/>): 421 Misdirected Request, flag <c>NR</c>; nothing is sent.
    /// </summary>
    public static HttpResponseMessage Misdirected(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, Uri uri, string hostHeader)
    {
        result.Flags |= MeshResponseFlags.NoRouteFound;
        if (mode == MeshFailureMode.Throw)
        {
            throw new MeshNoRouteException(uri.IdnHost, uri.Port, hostHeader, misdirected: true) { Result = result };
        }

        return Create(request, result, HttpStatusCode.MisdirectedRequest, MeshNoRouteException.MisdirectedMessage(uri.IdnHost, uri.Port, hostHeader));
    }

    /// <summary>No route of the host matched the request: Envoy's 404 <c>NR</c> (an empty body, as Envoy's).</summary>
    public static HttpResponseMessage NoRouteMatched(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, Uri uri)
    {
        result.Flags |= MeshResponseFlags.NoRouteFound;
        if (mode == MeshFailureMode.Throw)
        {
            throw new MeshNoRouteException(uri.IdnHost, uri.Port, uri.AbsolutePath) { Result = result };
        }

        return Create(request, result, HttpStatusCode.NotFound, string.Empty);
    }

    /// <summary>The route's destination has no cluster (an undeclared subset, an unregistered host): Envoy's 503 <c>NC</c>.</summary>
    public static HttpResponseMessage NoCluster(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, string host, int port, string? subset)
    {
        result.Flags |= MeshResponseFlags.NoClusterFound;
        var text = subset is null
            ? $"cluster not found: no external service declares host '{host}' port {port}, which the route sends to"
            : $"cluster not found: external service '{host}' port {port} has no subset '{subset}', which the route sends to";
        if (mode == MeshFailureMode.Throw)
        {
            throw new MeshUpstreamException(text, result.Flags, null, null) { Result = result };
        }

        return Create(request, result, HttpStatusCode.ServiceUnavailable, text);
    }

    /// <summary>Envoy's fault-abort body.</summary>
    public const string FaultAbortBody = "fault filter abort";

    /// <summary>
    /// An injected abort (Istio <c>fault.abort</c>): the HTTP status with Envoy's body, or for a gRPC
    /// status HTTP 200 with <c>grpc-status</c>; flag <c>FI</c>. A response, in every failure mode.
    /// </summary>
    public static HttpResponseMessage FaultAbort(HttpRequestMessage request, MeshResult result, int? status, int? grpcStatus)
    {
        result.Flags |= MeshResponseFlags.FaultInjected;
        if (grpcStatus is { } grpc)
        {
            var response = Create(request, result, HttpStatusCode.OK, string.Empty);
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            response.Headers.TryAddWithoutValidation("grpc-status", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation("grpc-message", FaultAbortBody);
            return response;
        }

        return Create(request, result, (HttpStatusCode)status!.Value, FaultAbortBody);
    }

    /// <summary>The route answers itself (Istio <c>directResponse</c>); no flag, as in Envoy.</summary>
    public static HttpResponseMessage Direct(HttpRequestMessage request, int status, byte[]? body)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { RequestMessage = request };
        if (body is not null)
        {
            response.Content = new ByteArrayContent(body);
            response.Content.Headers.ContentType = TextPlain;
        }

        return response;
    }

    /// <summary>The route redirects (Istio <c>redirect</c>): the status and <c>Location</c>, no body.</summary>
    public static HttpResponseMessage Redirect(HttpRequestMessage request, int status, Uri location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { RequestMessage = request };
        response.Headers.Location = location;
        return response;
    }

    /// <summary>The route timeout expired: Envoy's 504 <c>UT</c>.</summary>
    public static HttpResponseMessage Timeout(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, TimeSpan timeout, Exception cause)
    {
        result.Flags |= MeshResponseFlags.UpstreamRequestTimeout;
        if (mode == MeshFailureMode.Throw)
        {
            throw new MeshTimeoutException(
                FormattableString.Invariant($"{TimeoutBody} after {timeout.TotalMilliseconds} ms {Context(result, result.Endpoint)}"),
                result.Flags,
                timeout,
                cause)
            {
                Result = result,
            };
        }

        return Create(request, result, HttpStatusCode.GatewayTimeout, TimeoutBody);
    }

    /// <summary>What an exception message adds after Envoy's body text: <c>(UF, cluster …, endpoint …)</c>.</summary>
    private static string Context(MeshResult result, string? endpoint) =>
        $"({result.Flags.ToEnvoyString()}, cluster {result.Cluster}, endpoint {endpoint ?? "none"})";

    private static HttpResponseMessage Create(HttpRequestMessage request, MeshResult result, HttpStatusCode status, string body)
    {
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent(body),
        };
        response.Content.Headers.ContentType = TextPlain;
        response.Headers.TryAddWithoutValidation(FlagsHeader, result.Flags.ToEnvoyString());
        return response;
    }
}
