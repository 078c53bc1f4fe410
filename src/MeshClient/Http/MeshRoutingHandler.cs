using System.Runtime.CompilerServices;
using MeshClient.Configuration;
using MeshClient.Resilience;
using MeshClient.Runtime;
using Polly;
using Polly.Timeout;

namespace MeshClient.Http;

/// <summary>
/// Looks the request's host and port up in the mesh registry, applies the outbound traffic policy
/// and sends the attempts below — through the route's Polly pipeline (the route timeout) when the
/// route has one. Attempts return outcomes (a response, or an <see cref="AttemptFailedException"/>
/// with Envoy's flag); this handler builds the caller's Envoy-style response, or
/// <see cref="MeshException"/>, once, from the final outcome. It also follows redirects
/// (<see cref="MeshRedirects"/>), each hop routed again, in the same asynchronous method as the hop
/// itself so that a request pays for one state machine. Holds no state of its own:
/// <c>IHttpClientFactory</c> may recycle it at any time.
/// </summary>
internal sealed class MeshRoutingHandler : DelegatingHandler
{
    private readonly MeshRuntime _runtime;

    public MeshRoutingHandler(MeshRuntime runtime) => _runtime = runtime;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var maxRedirects = _runtime.State.Snapshot.MaxRedirects;
        var sending = SendHop(request, maxRedirects, firstHop: true, cancellationToken, out var followsRedirects);
        if (!followsRedirects && sending.IsCompletedSuccessfully && Follows(maxRedirects, sending.Result))
        {
            return FollowAsync(sending.Result, request, maxRedirects, cancellationToken);
        }

        return sending; // a hop that completes later follows its redirects itself
    }

    /// <summary>
    /// One hop: routing and the attempts. Its asynchronous continuations follow up to
    /// <paramref name="redirects"/> redirects themselves (0 for hops of <see cref="FollowAsync"/>), and
    /// say so in <paramref name="followsRedirects"/>; the synchronous fast path leaves that to the caller.
    /// </summary>
    private Task<HttpResponseMessage> SendHop(HttpRequestMessage request, int redirects, bool firstHop, CancellationToken cancellationToken, out bool followsRedirects)
    {
        followsRedirects = false;
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            // Let the inner handlers report the missing URI as they always do.
            return base.SendAsync(request, cancellationToken);
        }

        var result = new MeshResult { RequestUri = uri };
        request.Options.Set(MeshResponseExtensions.ResultKey, result);
        var state = _runtime.State;
        if (firstHop && request.Headers.Host is { } hostHeader && MeshRouter.IsMisdirected(state, uri, hostHeader))
        {
            // A redirect hop is not checked: a hop to another server drops the application's Host
            // header (MeshRedirects), and one on the same server may carry the route's authority rewrite.
            return Task.FromResult(MeshResponses.Misdirected(request, result, state.FailureMode, uri, hostHeader));
        }

        var route = MeshRouter.Route(_runtime, state, request, uri, out var matched, out var blocked);
        if (route is null)
        {
            return Task.FromResult(blocked
                ? MeshResponses.Blocked(request, result, state.FailureMode, uri.IdnHost, uri.Port)
                : MeshResponses.NoRouteMatched(request, result, state.FailureMode, uri));
        }

        var definition = route.Definition;
        if (definition.DirectResponse is { } direct)
        {
            return Task.FromResult(RouteRequests.Respond(route, null, MeshResponses.Direct(request, direct.Status, direct.Body)));
        }

        if (definition.Redirect is { } redirect)
        {
            return Task.FromResult(RouteRequests.Respond(route, null, MeshResponses.Redirect(request, redirect.Status, RouteRequests.RedirectLocation(uri, redirect, matched?.Uri))));
        }

        var target = route.SelectTarget();
        if (target.Cluster is not { } cluster)
        {
            return Task.FromResult(NoCluster(request, result, state, target.Destination));
        }

        result.TargetCluster = cluster;
        RouteRequests.Apply(request, uri, route, matched, target);
        var attempt = AttemptContext.ForHop(request); // handed back when the hop's response is built
        attempt.Route = route;
        attempt.Target = target;
        attempt.Result = result;
        attempt.CallerToken = cancellationToken;
        attempt.FailureMode = state.FailureMode;
        attempt.Redirects = redirects;
        var mirroring = route.Mirrors.Length == 0 ? null : _runtime.Mirrors.Start(request, route);

        // QUIC connections would not go through the endpoint pool's ConnectCallback: never let an
        // attempt to an endpoint (or to a DYNAMIC_DNS host, resolved by the mesh's name servers) use
        // (or upgrade to) HTTP/3, or it would go to the host's system DNS address. Capped once for
        // all the attempts, restored when the request is done.
        var capHttp3 = (cluster.PassthroughConnections is null || cluster.DynamicDns is not null) && AllowsHttp3(request);
        attempt.CapsHttp3 = capHttp3;
        if (route.Pipeline is null && route.Timeout is null && route.Retries is null && !capHttp3 && mirroring is null)
        {
            var sending = base.SendAsync(request, cancellationToken);
            if (sending.IsCompletedSuccessfully)
            {
                attempt.Succeeded(sending.Result);
                result.Endpoint = attempt.Endpoint;
                RouteRequests.Respond(route, target, sending.Result);
                LoadBalancing.HashCookie.AddTo(sending.Result, result);
                AttemptContext.EndHop(request, attempt);
                return sending;
            }

            followsRedirects = true;
            return CompleteAsync(sending, request, attempt, cancellationToken);
        }

        followsRedirects = true;
        return mirroring is null
            ? SendAttempts(request, attempt, cancellationToken)
            : SendWhenMirroredAsync(mirroring, request, attempt, cancellationToken);
    }

    /// <summary>Follows redirects from <paramref name="response"/>, up to <paramref name="redirects"/> hops.</summary>
    private async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response, HttpRequestMessage request, int redirects, CancellationToken cancellationToken)
    {
        for (var hop = 0; hop < redirects; hop++)
        {
            var location = MeshRedirects.GetRedirectUri(response, request.RequestUri);
            if (location is null)
            {
                return response;
            }

            MeshRedirects.PrepareNextHop(request, response, location, _runtime.State.Snapshot.RedirectRemovedHeaders);
            response.Dispose();
            response = await SendHop(request, 0, firstHop: false, cancellationToken, out _).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>Whether a hop that may follow <paramref name="redirects"/> redirects must follow <paramref name="response"/>.</summary>
    private static bool Follows(int redirects, HttpResponseMessage response) =>
        redirects != 0 && MeshRedirects.IsRedirect(response.StatusCode);

    /// <summary>Synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/>: the same path, waited for (as the handlers below are asynchronous).</summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    internal static bool AllowsHttp3(HttpRequestMessage request) =>
        request.Version.Major >= 3 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher;

    /// <summary>
    /// The same versions the request allows, minus HTTP/3: 3.0 becomes "2.0 or lower" (HTTP/2 by
    /// ALPN over TLS, else HTTP/1.1); "2.0 or higher" becomes exactly 2.0; "1.x or higher" becomes
    /// "2.0 or lower".
    /// </summary>
    internal static void CapBelowHttp3(HttpRequestMessage request)
    {
        if (request.Version.Major == 2 && request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher)
        {
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return;
        }

        request.Version = System.Net.HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
    }

    /// <summary>The route's attempts: through its Polly pipeline when it has one, else with its timeout and retries run here.</summary>
    private Task<HttpResponseMessage> SendAttempts(HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken) =>
        attempt.Route!.Pipeline is { } pipeline
            ? SendAsync(pipeline, request, attempt, cancellationToken)
            : SendTimed(request, attempt, cancellationToken);

    /// <summary>
    /// A route without a Polly pipeline: its retry state prepared first (here, so that the common request,
    /// whose body needs no buffering, carries no awaiter for it in the attempts' frame), then its attempts.
    /// </summary>
    private Task<HttpResponseMessage> SendTimed(HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        if (attempt.Route!.Definition.Retry is { } retry)
        {
            ValueTask preparing;
            try
            {
                preparing = PrepareRetriesAsync(retry, request, attempt.Result!, attempt, cancellationToken);
            }
#pragma warning disable CA1031 // Not swallowed: the caller gets it in the faulted task, as from the asynchronous path.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return Task.FromException<HttpResponseMessage>(ex);
            }

            if (!preparing.IsCompletedSuccessfully)
            {
                return SendTimedWhenPreparedAsync(preparing, request, attempt, cancellationToken);
            }
        }

        return SendTimedAsync(request, attempt, cancellationToken);
    }

    /// <summary>The request's body is being buffered for its retries: the attempts once it is.</summary>
    private async Task<HttpResponseMessage> SendTimedWhenPreparedAsync(ValueTask preparing, HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        await preparing.ConfigureAwait(false);
        return await SendTimedAsync(request, attempt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The attempts of a route without a Polly pipeline: its timeout (<see cref="RouteTimeout"/>, if any)
    /// in this frame, around the first attempt and — only when that attempt's outcome is one the policy
    /// retries — the retry strategy (<see cref="RetryAsync"/>), on the timeout's token.
    /// </summary>
    private async Task<HttpResponseMessage> SendTimedAsync(HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        // The hop's state is read from its (pooled) attempt context, not held in this frame: each field of
        // the frame is allocated again for every request.
        HttpResponseMessage response;
        int redirects;
        try
        {
            attempt.CapHttp3(request);
            Outcome<HttpResponseMessage> outcome;
            try
            {
                response = await base.SendAsync(request, attempt.StartTimeout(attempt.Route!.Timeout, cancellationToken)).ConfigureAwait(false);
                attempt.Succeeded(response);
                outcome = Outcome.FromResult(response);
            }
#pragma warning disable CA1031 // Not swallowed: an outcome carries it, and it is turned into the result below.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                outcome = Outcome.FromException<HttpResponseMessage>(attempt.Failed(ex, cancellationToken, attempt.AttemptToken(cancellationToken)));
            }

            // The retries in a frame of their own: the common request (no retry) does not carry their awaiter in this one.
            response = attempt.Route!.Retries is { } retries && retries.Retriable(in outcome, request)
                ? await RetryThenConcludeAsync(retries, outcome, request, attempt, cancellationToken).ConfigureAwait(false)
                : ConcludeTimed(in outcome, request, attempt, cancellationToken);
            redirects = attempt.Redirects;
        }
        finally
        {
            attempt.EndRetry();
            attempt.EndTimeout();
            attempt.RestoreVersion(request);
            AttemptContext.EndHop(request, attempt);
        }

        return Follows(redirects, response)
            ? await FollowAsync(response, request, redirects, cancellationToken).ConfigureAwait(false)
            : response;
    }

    /// <summary>After a first attempt the route's retry strategy may retry: the retries, then the caller's response.</summary>
    private async Task<HttpResponseMessage> RetryThenConcludeAsync(RouteRetries retries, Outcome<HttpResponseMessage> first, HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        var outcome = await RetryAsync(retries, first, request, attempt.Result!, attempt, attempt.AttemptToken(cancellationToken)).ConfigureAwait(false);
        return ConcludeTimed(in outcome, request, attempt, cancellationToken);
    }

    /// <summary><see cref="Conclude"/> for a route whose timeout runs in the routing handler's frame: an attempt it cancelled is Polly's timeout rejection.</summary>
    private HttpResponseMessage ConcludeTimed(in Outcome<HttpResponseMessage> outcome, HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        if (outcome.Exception is OperationCanceledException cancelled && attempt.TimedOut(cancellationToken))
        {
            var rejected = Outcome.FromException<HttpResponseMessage>(attempt.Route!.Timeout!.Rejected(cancelled)); // as Polly's timeout gives it
            return Conclude(in rejected, request, attempt.Result!, attempt, attempt.FailureMode);
        }

        return Conclude(in outcome, request, attempt.Result!, attempt, attempt.FailureMode);
    }

    /// <summary>The attempts through the route's Polly pipeline.</summary>
    private async Task<HttpResponseMessage> SendAsync(ResiliencePipeline<HttpResponseMessage> pipeline, HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        var hop = attempt; // the hop's own context (hedging may conclude on a hedge's)
        var result = hop.Result!;
        var redirects = hop.Redirects;
        hop.CapHttp3(request);
        HttpResponseMessage response;
        var hedging = false;
        try
        {
            var retry = attempt.Route?.Definition.Retry;
            if (retry is not null)
            {
                await PrepareRetriesAsync(retry, request, result, attempt, cancellationToken).ConfigureAwait(false);
            }

            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            if (attempt.Route?.Definition.Fault is not null)
            {
                // Only a faulted route's strategies read these (and only it pays for the properties).
                context.Properties.Set(RouteContext.Request, request);
                context.Properties.Set(RouteContext.Result, result);
            }

            try
            {
                hedging = retry is { IsHedging: true };
                if (retry is not null)
                {
                    context.Properties.Set(RetryDecider.AttemptKey, attempt);
                    // Until a hedge is sent nothing but the route timeout or the caller cancels an attempt
                    // (a cancelled token: "abandoned" never applies); then it is the hedging strategy's own.
                    attempt.HedgeParentToken = new CancellationToken(canceled: true);
                }

                var outcome = await pipeline.ExecuteOutcomeAsync(AttemptCallback, context, new AttemptState(this, request, result, attempt, hedging)).ConfigureAwait(false);

                if (hedging && outcome.Result?.RequestMessage?.Options.TryGetValue(AttemptContext.Key, out var winner) == true)
                {
                    attempt = winner; // the hedged attempt whose response won
                }

                response = Conclude(in outcome, request, result, attempt, hop.FailureMode);
            }
            finally
            {
                attempt.EndRetry();
                ResilienceContextPool.Shared.Return(context);
            }
        }
        finally
        {
            hop.RestoreVersion(request);
            AttemptContext.EndHop(request, hop, mayReuse: !hedging); // a hedge that lost may still be running
        }

        return Follows(redirects, response)
            ? await FollowAsync(response, request, redirects, cancellationToken).ConfigureAwait(false)
            : response;
    }

    /// <summary>
    /// The caller's response from the attempts' final outcome, built once: the response with the route's
    /// header operations and a generated hash cookie, Envoy's 504 <c>UT</c> for the route timeout, or the
    /// upstream failure's response (the last two are never redirects, so callers may follow either).
    /// </summary>
    private HttpResponseMessage Conclude(in Outcome<HttpResponseMessage> outcome, HttpRequestMessage request, MeshResult result, AttemptContext attempt, MeshFailureMode mode)
    {
        switch (outcome.Exception)
        {
            case null:
                result.Endpoint = attempt.Endpoint;
                break;
            case TimeoutRejectedException timeout:
                result.Endpoint = attempt.Endpoint;
                return MeshResponses.Timeout(request, result, mode, timeout.Timeout, timeout);
            case AttemptFailedException failure:
                return Failed(request, result, mode, failure);
            default:
                outcome.ThrowIfException();
                break;
        }

        var response = RouteRequests.Respond(attempt.Route, attempt.Target, outcome.Result!);
        LoadBalancing.HashCookie.AddTo(response, result);
        return response;
    }

    private static readonly Func<ResilienceContext, AttemptState, ValueTask<Outcome<HttpResponseMessage>>> AttemptCallback = RunAttemptAsync;

    /// <summary>What the pipeline's callback needs (a struct: passed by value, nothing allocated for it).</summary>
    private readonly record struct AttemptState(MeshRoutingHandler Handler, HttpRequestMessage Request, MeshResult Result, AttemptContext Attempt, bool Hedging);

    /// <summary>One attempt inside the route's pipeline (a static method: its delegate is cached, nothing captured).</summary>
    private static async ValueTask<Outcome<HttpResponseMessage>> RunAttemptAsync(ResilienceContext context, AttemptState state)
    {
        var (request, attempt) = (state.Request, state.Attempt);
        var callerToken = state.Attempt.CallerToken; // the hop's (a hedge's own context has none)
        if (state.Hedging)
        {
            if (context.Properties.TryGetValue(RetryDecider.AttemptKey, out var own))
            {
                (request, attempt) = (own.Request!, own); // a hedged attempt sends its own copy
            }
        }

        Outcome<HttpResponseMessage> outcome;
        try
        {
            var response = await state.Handler.SendAttemptAsync(request, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            attempt.Succeeded(response);
            outcome = Outcome.FromResult(response);
        }
#pragma warning disable CA1031 // Not swallowed: an outcome carries it to the pipeline, and it is turned into the result below.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (state.Hedging && context.CancellationToken.IsCancellationRequested && !attempt.HedgeParentToken.IsCancellationRequested)
            {
                callerToken = context.CancellationToken; // another attempt won: abandoned, not failed
            }

            outcome = Outcome.FromException<HttpResponseMessage>(attempt.Failed(ex, callerToken, context.CancellationToken));
        }

        if (attempt.IsHedged)
        {
            attempt.EndRetry(); // the hedge's retry slots go back when it ends
        }

        return outcome;
    }

    /// <summary>The request's body had to be buffered for its mirrors' copies first.</summary>
    private async Task<HttpResponseMessage> SendWhenMirroredAsync(Task mirroring, HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        await mirroring.ConfigureAwait(false);
        return await SendAttempts(request, attempt, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> CompleteAsync(Task<HttpResponseMessage> sending, HttpRequestMessage request, AttemptContext attempt, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        int redirects;
        try
        {
            response = await sending.ConfigureAwait(false);
            attempt.Succeeded(response);
            attempt.Result!.Endpoint = attempt.Endpoint;
            RouteRequests.Respond(attempt.Route, attempt.Target, response);
            LoadBalancing.HashCookie.AddTo(response, attempt.Result);
            redirects = attempt.Redirects;
        }
        catch (Exception ex)
        {
            if (attempt.Failed(ex, attempt.CallerToken, cancellationToken) is AttemptFailedException failure)
            {
                return Failed(request, attempt.Result!, attempt.FailureMode, failure);
            }

            throw;
        }
        finally
        {
            AttemptContext.EndHop(request, attempt);
        }

        return Follows(redirects, response)
            ? await FollowAsync(response, request, redirects, cancellationToken).ConfigureAwait(false)
            : response;
    }

    private Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    /// <summary>
    /// The route's retry strategy, entered after a first attempt whose outcome it may retry (inside the
    /// route timeout, on its token): Polly decides on that outcome first — replayed, not sent again —
    /// then runs the retries as if it had run the first attempt itself.
    /// </summary>
    private async ValueTask<Outcome<HttpResponseMessage>> RetryAsync(RouteRetries retries, Outcome<HttpResponseMessage> first, HttpRequestMessage request, MeshResult result, AttemptContext attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetryDecider.AttemptKey, attempt);
        try
        {
            return await retries.Pipeline.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    if (state.First.Value is { } replayed)
                    {
                        state.First.Value = null;
                        return replayed;
                    }

                    try
                    {
                        var response = await state.Handler.SendAttemptAsync(state.Request, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
                        state.Attempt.Succeeded(response);
                        return Outcome.FromResult(response);
                    }
#pragma warning disable CA1031 // Not swallowed: an outcome carries it to the pipeline.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        return Outcome.FromException<HttpResponseMessage>(state.Attempt.Failed(ex, state.Attempt.CallerToken, context.CancellationToken));
                    }
                },
                context,
                (Handler: this, Request: request, Result: result, Attempt: attempt, First: new StrongBox<Outcome<HttpResponseMessage>?>(first))).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Before the first attempt of a route with a retry policy: the request's retry state, its body made sendable again, the budget's deposit.</summary>
    private static ValueTask PrepareRetriesAsync(RetryPolicy retry, HttpRequestMessage request, MeshResult result, AttemptContext attempt, CancellationToken cancellationToken)
    {
        attempt.Request = request;
        attempt.Result = result;
        attempt.IgnorePreviousHosts = retry.IgnorePreviousHosts;
        var cluster = result.TargetCluster!;
        if (!retry.CanRetry)
        {
            attempt.MayResend = false;
            return default;
        }

        cluster.RetryBudget.Deposit();
        var preparing = RetryRequests.PrepareAsync(request, retry, cluster.Logger, cancellationToken);
        if (preparing.IsCompletedSuccessfully)
        {
            attempt.MayResend = preparing.Result;
            return default;
        }

        return AwaitPrepared(preparing, attempt);

        static async ValueTask AwaitPrepared(ValueTask<bool> preparing, AttemptContext attempt) =>
            attempt.MayResend = await preparing.ConfigureAwait(false);
    }

    /// <summary>The route's destination has no cluster: blocked (an unregistered host under REGISTRY_ONLY) or Envoy's 503 <c>NC</c>.</summary>
    private HttpResponseMessage NoCluster(HttpRequestMessage request, MeshResult result, RuntimeState state, Routing.RouteDestination destination)
    {
        if (destination.IsUnregisteredHost && state.OutboundTrafficPolicy == OutboundTrafficPolicy.RegistryOnly)
        {
            _runtime.OnBlocked(destination.Host, destination.Port);
            return MeshResponses.Blocked(request, result, state.FailureMode, destination.Host, destination.Port);
        }

        return MeshResponses.NoCluster(request, result, state.FailureMode, destination.Host, destination.Port, destination.Subset);
    }

    /// <summary>The final outcome is an upstream failure: Envoy's response (or exception), built here once.</summary>
    private HttpResponseMessage Failed(HttpRequestMessage request, MeshResult result, MeshFailureMode mode, AttemptFailedException failure)
    {
        result.Endpoint = failure.Endpoint;
        if ((failure.Flags & MeshResponseFlags.NoRouteFound) != 0)
        {
            var uri = request.RequestUri!;
            result.TargetCluster = null;
            return MeshResponses.Blocked(request, result, mode, uri.IdnHost, uri.Port);
        }

        var cause = failure.InnerException;
        if (cause is not null)
        {
            _runtime.OnUpstreamFailure(result, failure.Flags, failure.Endpoint, cause);
        }

        return MeshResponses.UpstreamFailure(request, result, mode, failure.Flags, cause);
    }
}
