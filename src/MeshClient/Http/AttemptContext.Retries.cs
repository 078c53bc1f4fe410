using MeshClient.Resilience;

namespace MeshClient.Http;

/// <summary>The request's retry state, read by the route's retry strategy (<see cref="RetryDecider"/>).</summary>
internal sealed partial class AttemptContext
{
    private ClusterRetryBudget? _heldBudget;
    private Runtime.Cluster? _heldSlot;

    /// <summary>The request the attempts send (a copy, for a hedged attempt).</summary>
    public HttpRequestMessage? Request { get; set; }

    /// <summary>The request's result, shared by all its attempts.</summary>
    public MeshResult? Result { get; set; }

    /// <summary>Whether the request may be sent again: its body can be (<see cref="RetryRequests.PrepareAsync"/>).</summary>
    public bool MayResend { get; set; } = true;

    /// <summary>Whether retries avoid the endpoints earlier attempts went to (Envoy's <c>previous_hosts</c>).</summary>
    public bool IgnorePreviousHosts { get; set; } = true;

    /// <summary>
    /// Under hedging: the token the hedging strategy runs under (route timeout, caller), to tell "another
    /// attempt won" (this attempt's token cancelled, that one not) from a timeout; cancelled until a hedge is sent.
    /// </summary>
    public CancellationToken HedgeParentToken { get; set; }

    public bool IsHedged { get; set; }

    private void ResetRetries()
    {
        EndRetry();
        Request = null;
        Result = null;
        MayResend = true;
        IgnorePreviousHosts = true;
        HedgeParentToken = default;
        IsHedged = false;
    }

    /// <summary>Holds a retry slot of <paramref name="budget"/>, and one of <paramref name="cluster"/>'s <c>maxRetries</c> slots, until <see cref="EndRetry"/>.</summary>
    public void HoldRetry(ClusterRetryBudget budget, Runtime.Cluster cluster)
    {
        _heldBudget = budget;
        _heldSlot = cluster;
    }

    /// <summary>The retry that held a budget slot is over (its attempt ended, or the request did).</summary>
    public void EndRetry()
    {
        if (_heldBudget is { } budget)
        {
            _heldBudget = null;
            budget.End();
        }

        if (_heldSlot is { } cluster)
        {
            _heldSlot = null;
            cluster.EndRetry();
        }
    }
}
