using MeshClient.Configuration;
using MeshClient.Resilience;

namespace MeshClient.Http;

/// <summary>
/// The hop's own state while its attempts run — failure mode, redirects left, the HTTP/3 cap, the
/// route timeout — kept here, on the pooled context, rather than in the routing handler's
/// asynchronous frame, every field of which is allocated again for each request.
/// </summary>
internal sealed partial class AttemptContext
{
    private RouteTimeout? _timeout;
    private CancellationTokenSource? _timer;
    private CancellationTokenRegistration _timerLink;
    private Version? _askedVersion;
    private HttpVersionPolicy _askedPolicy;

    /// <summary>The caller's token, to tell its cancellation from the route's timeout in an attempt.</summary>
    public CancellationToken CallerToken { get; set; }

    /// <summary>How the hop's failures reach the caller.</summary>
    public MeshFailureMode FailureMode { get; set; }

    /// <summary>How many redirects the hop still follows itself (0 for a hop of a redirect being followed).</summary>
    public int Redirects { get; set; }

    /// <summary>Whether the hop's attempts must not use HTTP/3 (see <see cref="MeshRoutingHandler.CapBelowHttp3"/>).</summary>
    public bool CapsHttp3 { get; set; }

    /// <summary>The token the hop's attempts run under: the route timeout's once it started, else the caller's.</summary>
    public CancellationToken AttemptToken(CancellationToken callerToken) => _timer?.Token ?? callerToken;

    /// <summary>Whether the route timeout (not the caller) cancelled the hop.</summary>
    public bool TimedOut(CancellationToken callerToken) => _timer is { IsCancellationRequested: true } && !callerToken.IsCancellationRequested;

    /// <summary>Caps the request below HTTP/3 for the hop when it must; <see cref="RestoreVersion"/> gives it back what it asked for.</summary>
    public void CapHttp3(HttpRequestMessage request)
    {
        if (CapsHttp3)
        {
            _askedVersion = request.Version;
            _askedPolicy = request.VersionPolicy;
            MeshRoutingHandler.CapBelowHttp3(request);
        }
    }

    /// <summary>The request's own version and policy again, if the hop capped them.</summary>
    public void RestoreVersion(HttpRequestMessage request)
    {
        if (_askedVersion is { } version)
        {
            request.Version = version;
            request.VersionPolicy = _askedPolicy;
            _askedVersion = null;
        }
    }

    /// <summary>Arms <paramref name="timeout"/> (if any) for the hop, linked to <paramref name="callerToken"/>; returns the attempts' token.</summary>
    public CancellationToken StartTimeout(RouteTimeout? timeout, CancellationToken callerToken)
    {
        if (timeout is null)
        {
            return callerToken;
        }

        _timeout = timeout;
        _timer = timeout.Start(callerToken, out _timerLink);
        return _timer.Token;
    }

    /// <summary>The route timeout, if armed, is done with: unlinked and its source kept for reuse.</summary>
    public void EndTimeout()
    {
        if (_timer is { } timer)
        {
            var link = _timerLink;
            _timer = null;
            _timerLink = default;
            _timeout!.End(timer, link);
            _timeout = null;
        }
    }

    private void ResetHop()
    {
        EndTimeout();
        _askedVersion = null;
        CallerToken = default;
        FailureMode = default;
        Redirects = 0;
        CapsHttp3 = false;
    }
}
