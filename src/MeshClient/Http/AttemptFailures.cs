using MeshClient.Health;
using MeshClient.Resilience;

namespace MeshClient.Http;

/// <summary>
/// The one classifier of what went wrong in an attempt, shared by the endpoint handler (health) and
/// the route's pipeline (retries): an upstream failure with Envoy's flag, the caller's cancellation,
/// the route timeout, or the caller's own error — which is propagated as a plain handler would and
/// never counted against the endpoint. For an upstream failure it also reports Envoy's retry
/// conditions (<c>retry_on</c> values) the failure satisfies, so that retries decide on the same facts.
/// </summary>
internal static class AttemptFailures
{
    /// <summary>HTTP/2 <c>REFUSED_STREAM</c> (RFC 9113 §7): the server did not process the stream.</summary>
    private const long RefusedStream = 0x7;

    public static AttemptFailureKind Classify(Exception exception, out MeshResponseFlags flags, CancellationToken callerToken, CancellationToken attemptToken) =>
        Classify(exception, out flags, out _, callerToken, attemptToken);

    /// <summary>
    /// Classifies <paramref name="exception"/>; <paramref name="conditions"/> are the Envoy retry
    /// conditions an upstream failure satisfies: a connection that could not be made (or a name that
    /// did not resolve) is <c>connect-failure</c> and <c>reset-before-request</c>; an HTTP/2
    /// <c>REFUSED_STREAM</c> is <c>refused-stream</c> and <c>reset-before-request</c>; any other reset
    /// or disconnect only <c>reset</c> (.NET does not say whether request bytes were written; it retries
    /// a request on a reused connection that failed before sending by itself). Every failure without a
    /// response also satisfies <c>5xx</c> and <c>gateway-error</c>, as in Envoy's <c>wouldRetryFromReset</c>.
    /// </summary>
    public static AttemptFailureKind Classify(Exception exception, out MeshResponseFlags flags, out RetryConditions conditions, CancellationToken callerToken, CancellationToken attemptToken)
    {
        flags = MeshResponseFlags.None;
        conditions = RetryConditions.None;
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
            conditions = RetryConditions.AnyReset | RetryConditions.ConnectFailure | RetryConditions.ResetBeforeRequest;
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
        if (flags == MeshResponseFlags.None)
        {
            return AttemptFailureKind.Caller;
        }

        if (flags == MeshResponseFlags.DnsResolutionFailure)
        {
            // Envoy answers a failed resolution (DF) locally, without an upstream attempt: never retried.
            return AttemptFailureKind.Upstream;
        }

        conditions = RetryConditions.AnyReset;
        if ((flags & MeshResponseFlags.UpstreamConnectionFailure) != 0)
        {
            conditions |= RetryConditions.ConnectFailure | RetryConditions.ResetBeforeRequest;
        }
        else if (IsRefusedStream(http))
        {
            conditions |= RetryConditions.RefusedStream | RetryConditions.ResetBeforeRequest;
        }

        return AttemptFailureKind.Upstream;
    }

    private static bool IsRefusedStream(HttpRequestException exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException { ErrorCode: RefusedStream })
            {
                return true;
            }
        }

        return false;
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
