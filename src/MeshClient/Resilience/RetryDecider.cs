using System.Globalization;
using MeshClient.Http;
using Polly;
using Polly.Hedging;
using Polly.Retry;
using Polly.Timeout;

namespace MeshClient.Resilience;

/// <summary>
/// Envoy's retry decision for one policy (ISTIO-SEMANTICS.md §2.3), as the predicate and delay of
/// Polly's retry strategy (and the predicate and action generator of its hedging strategy): which
/// outcomes are retried (<c>retryOn</c>), the safe-retry rule for non-idempotent requests, the retry
/// limit (<c>URX</c>), the cluster's retry budget (<c>UO</c>), Envoy's back-off and <c>Retry-After</c>.
/// One per pipeline, built once per snapshot; the request's state comes from the context's
/// <see cref="AttemptKey"/>.
/// </summary>
internal sealed class RetryDecider(RetryPolicy policy, TimeProvider time, RetryJitter jitter)
{
    /// <summary>The request's <see cref="AttemptContext"/> in the pipeline's context.</summary>
    public static readonly ResiliencePropertyKey<AttemptContext> AttemptKey = new("MeshClient.Attempt");

    private const string ResponseRateLimitedHeader = "x-envoy-ratelimited";
    private const string GrpcStatusHeader = "grpc-status";

    public RetryPolicy Policy => policy;

    public RetryStrategyOptions<HttpResponseMessage> RetryOptions() => new()
    {
        MaxRetryAttempts = policy.MaxRetries,
        ShouldHandle = ShouldRetry,
        DelayGenerator = Delay,
        BackoffType = DelayBackoffType.Constant,
        Delay = TimeSpan.Zero,
        UseJitter = false,
        Name = "MeshClient.Retry",
    };

    public HedgingStrategyOptions<HttpResponseMessage> HedgingOptions() => new()
    {
        MaxHedgedAttempts = policy.HedgingMaxAttempts - 1,
        DelayGenerator = HedgingDelay, // Polly's Delay property stops at 24 h
        ShouldHandle = ShouldHedge,
        ActionGenerator = Hedge,
        Name = "MeshClient.Hedging",
    };

    /// <summary>The conditions a response satisfies (only those the policy asks about are computed).</summary>
    public RetryConditions ResponseConditions(HttpResponseMessage response, HttpRequestMessage? request)
    {
        var wanted = policy.Conditions;
        var status = (int)response.StatusCode;
        var conditions = RetryConditions.None;
        if (status >= 500)
        {
            conditions |= RetryConditions.FiveXx;
            if (status is 502 or 503 or 504)
            {
                conditions |= RetryConditions.GatewayError;
            }
        }
        else if (status == 409)
        {
            conditions |= RetryConditions.Retriable4xx;
        }

        if ((wanted & RetryConditions.RetriableStatusCodes) != 0 && (policy.IsRetriableStatus(status) || RequestListsStatus(request, status)))
        {
            conditions |= RetryConditions.RetriableStatusCodes;
        }

        if ((wanted & RetryConditions.RetriableHeaders) != 0 && HasRetriableHeader(request, response))
        {
            conditions |= RetryConditions.RetriableHeaders;
        }

        // Envoy never retries a rate-limited response unless asked to with envoy-ratelimited (the
        // header is looked up only when it can change the answer: a success pays nothing for it).
        if ((conditions != RetryConditions.None || (wanted & RetryConditions.EnvoyRateLimited) != 0) && response.Headers.Contains(ResponseRateLimitedHeader))
        {
            return RetryConditions.EnvoyRateLimited;
        }

        // gRPC statuses come in the headers of a trailers-only response, which is an HTTP 200 with a gRPC
        // content type (gRPC over HTTP/2 spec); any other response is not looked into (its headers are not
        // even created: every success would pay for them under Istio's default retryOn).
        if (status == 200 && (wanted & GrpcConditions) != 0 && IsGrpc(response) && response.Headers.TryGetValues(GrpcStatusHeader, out var values))
        {
            // Envoy reads grpc-status from the response headers only (trailers-only responses).
            foreach (var value in values)
            {
                conditions |= value switch
                {
                    "1" => RetryConditions.GrpcCancelled,
                    "4" => RetryConditions.GrpcDeadlineExceeded,
                    "8" => RetryConditions.GrpcResourceExhausted,
                    "13" => RetryConditions.GrpcInternal,
                    "14" => RetryConditions.GrpcUnavailable,
                    _ => RetryConditions.None,
                };
                break;
            }
        }

        return conditions;
    }

    /// <summary>The conditions an outcome satisfies, and whether it provably never reached the server.</summary>
    public RetryConditions Conditions(in Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request) => outcome.Exception switch
    {
        null => outcome.Result is { } response ? ResponseConditions(response, request) : RetryConditions.None,
        AttemptFailedException failure => failure.Conditions,

        // Only the per-try timeout is inside the retry strategy; the route timeout is outside it.
        TimeoutRejectedException => RetryConditions.PerTryTimeout | RetryConditions.AnyReset,
        _ => RetryConditions.None, // the caller's cancellation or error: never retried
    };

    private const RetryConditions GrpcConditions = RetryConditions.GrpcCancelled | RetryConditions.GrpcDeadlineExceeded
        | RetryConditions.GrpcInternal | RetryConditions.GrpcResourceExhausted | RetryConditions.GrpcUnavailable;

    private ValueTask<bool> ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        if (!args.Context.Properties.TryGetValue(AttemptKey, out var attempt))
        {
            return new(false);
        }

        attempt.EndRetry(); // the retry that ran this attempt, if any, is over
        var outcome = args.Outcome;
        var conditions = Conditions(in outcome, attempt.Request);
        var matched = conditions & policy.Conditions;
        if (matched == 0 || args.Context.CancellationToken.IsCancellationRequested || !attempt.MayResend)
        {
            return new(false);
        }

        // Safe by default: a request that may have reached the server is retried only when repeating it is harmless.
        if ((conditions & RetryConditions.NeverSent) == 0 && !RetryRequests.MayRetryAfterSending(attempt.Request!, policy))
        {
            return new(false);
        }

        var result = attempt.Result!;
        if (args.AttemptNumber >= policy.MaxRetries)
        {
            result.Flags |= MeshResponseFlags.UpstreamRetryLimitExceeded; // Envoy's URX
            return new(false);
        }

        if (!TryHoldRetrySlot(result, attempt))
        {
            return new(false);
        }

        result.RecordRetry(args.AttemptNumber + 1, outcome.Exception is AttemptFailedException failed ? failed.Endpoint : attempt.Endpoint, Reason(matched, outcome));
        return new(true);
    }

    /// <summary>
    /// Takes a retry slot for an attempt beyond the first (a retry, or a hedge: Envoy counts a hedged
    /// request as a retry): one of the cluster's retry budget, then one of its <c>maxRetries</c>, held by
    /// <paramref name="holder"/> until <see cref="AttemptContext.EndRetry"/>. When refused the result
    /// is flagged as Envoy does: <c>UO</c> for an overflow, <c>URX</c> for a spent token budget.
    /// </summary>
    private static bool TryHoldRetrySlot(MeshResult result, AttemptContext holder)
    {
        if (result.TargetCluster is not { } cluster)
        {
            return true;
        }

        var budget = cluster.RetryBudget;
        switch (budget.TryStart(cluster.ActiveRequests))
        {
            case RetryRefusal.Overflow:
                result.Flags |= MeshResponseFlags.UpstreamOverflow;
                return false;
            case RetryRefusal.Exhausted:
                result.Flags |= MeshResponseFlags.UpstreamRetryLimitExceeded;
                return false;
        }

        // Istio connectionPool.http.maxRetries: retries in flight across the cluster (Envoy's
        // upstream_rq_retry_overflow, flag UO), after the budget, as Envoy checks both.
        if (!cluster.TryStartRetry())
        {
            budget.End();
            result.Flags |= MeshResponseFlags.UpstreamOverflow;
            return false;
        }

        holder.HoldRetry(budget, cluster);
        return true;
    }

    private ValueTask<TimeSpan?> Delay(RetryDelayGeneratorArguments<HttpResponseMessage> args)
    {
        if (policy.HonorRetryAfter && args.Outcome.Result?.Headers.RetryAfter is { } retryAfter)
        {
            var wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : null);
            if (wait is { } value)
            {
                return new(value > TimeSpan.Zero ? value : TimeSpan.Zero);
            }
        }

        return new(EnvoyBackoff.Delay(args.AttemptNumber, policy.BaseBackoff, policy.MaxBackoff, jitter.Next()));
    }

    private ValueTask<TimeSpan> HedgingDelay(HedgingDelayGeneratorArguments args) => new(policy.HedgingDelay!.Value);

    /// <summary>Hedging: an outcome that is not acceptable (a retriable condition) sends the next hedge at once.</summary>
    private ValueTask<bool> ShouldHedge(HedgingPredicateArguments<HttpResponseMessage> args)
    {
        var request = args.Context.Properties.TryGetValue(AttemptKey, out var attempt) ? attempt.Request : null;
        var outcome = args.Outcome;
        return new((Conditions(in outcome, request) & policy.Conditions) != 0);
    }

    /// <summary>A hedged attempt: a copy of the request with its own attempt state, to an endpoint no other attempt used.</summary>
    private Func<ValueTask<Outcome<HttpResponseMessage>>>? Hedge(HedgingActionGeneratorArguments<HttpResponseMessage> args)
    {
        if (args.AttemptNumber == 0)
        {
            var callback = args.Callback;
            var context = args.ActionContext;
            return () => callback(context);
        }

        if (!args.PrimaryContext.Properties.TryGetValue(AttemptKey, out var primary)
            || !primary.MayResend
            || !RetryRequests.MayRetryAfterSending(primary.Request!, policy))
        {
            return null; // only requests that may be repeated are hedged
        }

        // The token the hedging strategy runs under (route timeout, caller): an attempt cancelled
        // while it is not was abandoned because another attempt won.
        primary.HedgeParentToken = args.PrimaryContext.CancellationToken;
        var hedge = new AttemptContext
        {
            Route = primary.Route,
            Target = primary.Target,
            Result = primary.Result,
            IgnorePreviousHosts = true,
            IsHedged = true,
            HedgeParentToken = args.PrimaryContext.CancellationToken,
        };
        // A hedge is a retry to Envoy: it takes a retry budget slot and a maxRetries slot, and is not
        // sent when either is full (the request goes on with the attempts already in flight).
        if (!TryHoldRetrySlot(primary.Result!, hedge))
        {
            return null;
        }

        RetryRequests.Copy(primary.Request!, hedge);
        args.ActionContext.Properties.Set(AttemptKey, hedge);
        primary.Result!.RecordRetry(args.AttemptNumber, null, "hedge");
        var generated = args.Callback;
        var actionContext = args.ActionContext;
        return () => generated(actionContext);
    }

    private static bool RequestListsStatus(HttpRequestMessage? request, int status)
    {
        if (request is null || RetryRequests.RetriableStatusCodes(request) is not { } values)
        {
            return false;
        }

        foreach (var value in values)
        {
            foreach (var token in value.Split(','))
            {
                if (int.TryParse(token.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code == status)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="response"/> has a gRPC content type (<c>application/grpc</c>, <c>+proto</c>, <c>-web</c>…).</summary>
    private static bool IsGrpc(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static bool HasRetriableHeader(HttpRequestMessage? request, HttpResponseMessage response)
    {
        if (request is null || RetryRequests.RetriableHeaderNames(request) is not { } values)
        {
            return false;
        }

        foreach (var value in values)
        {
            foreach (var name in value.Split(','))
            {
                if (name.Trim() is { Length: > 0 } trimmed && response.Headers.Contains(trimmed))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The retry reason: a status code for a retriable status, else the first matched condition's token.</summary>
    private static string Reason(RetryConditions matched, in Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is TimeoutRejectedException)
        {
            return RetryOn.Format(RetryConditions.PerTryTimeout);
        }

        if (outcome.Result is { } response && (matched & RetryConditions.RetriableStatusCodes) != 0)
        {
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }

        // Name the most specific condition: connect-failure before reset before 5xx.
        foreach (var condition in (ReadOnlySpan<RetryConditions>)[
            RetryConditions.ConnectFailure, RetryConditions.RefusedStream, RetryConditions.ResetBeforeRequest, RetryConditions.Reset,
            RetryConditions.GatewayError, RetryConditions.FiveXx, RetryConditions.Retriable4xx, RetryConditions.EnvoyRateLimited,
            RetryConditions.RetriableHeaders, RetryConditions.GrpcCancelled, RetryConditions.GrpcDeadlineExceeded,
            RetryConditions.GrpcInternal, RetryConditions.GrpcResourceExhausted, RetryConditions.GrpcUnavailable])
        {
            if ((matched & condition) != 0)
            {
                return RetryOn.Format(condition);
            }
        }

        return matched.ToString();
    }
}
