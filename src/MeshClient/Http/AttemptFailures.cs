using MeshClient.Health;

namespace MeshClient.Http;

/// <summary>
/// The one classifier of what went wrong in an attempt, shared by the endpoint handler (health) and
/// the route's pipeline (retries): an upstream failure with Envoy's flag, the caller's cancellation,
/// the route timeout, or the caller's own error — which is propagated as a plain handler would and
/// never counted against the endpoint.
/// </summary>
internal static class AttemptFailures
{
    public static AttemptFailureKind Classify(Exception exception, out MeshResponseFlags flags, CancellationToken callerToken, CancellationToken attemptToken)
    {
        flags = MeshResponseFlags.None;
        if (callerToken.IsCancellationRequested && exception is OperationCanceledException or HttpRequestException)
        {
            return AttemptFailureKind.Cancelled;
        }

        if (exception is OperationCanceledException)
        {
            if (attemptToken.IsCancellationRequested)
            {
                // The route's timeout cancelled the attempt: Polly turns it into the timeout result.
                flags = MeshResponseFlags.UpstreamRequestTimeout;
                return AttemptFailureKind.Timeout;
            }

            // Nobody cancelled: SocketsHttpHandler's ConnectTimeout fired.
            flags = MeshResponseFlags.UpstreamConnectionFailure;
            return AttemptFailureKind.Upstream;
        }

        if (exception is not HttpRequestException http)
        {
            return AttemptFailureKind.Caller;
        }

        flags = http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => MeshResponseFlags.DnsResolutionFailure,
            HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError
                => MeshResponseFlags.UpstreamConnectionFailure,
            HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse
                => MeshResponseFlags.UpstreamConnectionTermination,

            // A transport error while the request was being sent or the response read: the
            // connection was reset or closed under it (Envoy: upstream_reset_before_response_started, UC).
            HttpRequestError.Unknown when http.InnerException is IOException
                => MeshResponseFlags.UpstreamConnectionTermination,

            // The rest is the caller's or the client's: content that throws, response headers over
            // MaxResponseHeadersLength, a version or extended CONNECT the request demanded, credentials.
            _ => MeshResponseFlags.None,
        };
        return flags == MeshResponseFlags.None ? AttemptFailureKind.Caller : AttemptFailureKind.Upstream;
    }

    /// <summary>The outcome an endpoint's health and the picker see for a failure of <paramref name="kind"/>.</summary>
    public static AttemptOutcome Outcome(AttemptFailureKind kind, MeshResponseFlags flags, long start, long end) => kind switch
    {
        AttemptFailureKind.Upstream or AttemptFailureKind.Timeout => AttemptOutcome.LocalFailure(flags, start, end),
        AttemptFailureKind.Cancelled => AttemptOutcome.Cancelled(start, end),
        _ => AttemptOutcome.CallerError(start, end),
    };
}

/// <summary>What kind of failure ended an attempt.</summary>
internal enum AttemptFailureKind
{
    /// <summary>The upstream failed (no response): Envoy's UF, UC, DF.</summary>
    Upstream,

    /// <summary>The route's timeout cancelled the attempt (UT).</summary>
    Timeout,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>The caller's own error: propagated unchanged, never the endpoint's fault.</summary>
    Caller,
}
