namespace MeshClient.Configuration;

/// <summary>
/// Limits on the retries of all requests to a service's endpoints together (per cluster), so that
/// retries cannot multiply the load on a failing service. Two kinds, either or both: Envoy's
/// concurrent-retry budget (Istio <c>trafficPolicy.retryBudget</c>) and a Linkerd/Finagle token
/// budget over a sliding window. A retry refused by the concurrent budget ends the request with its
/// last outcome and flag <c>UO</c>; one refused by the token budget with flag <c>URX</c>.
/// </summary>
public sealed class RetryBudgetOptions
{
    /// <summary>Gets or sets the retries that may be in flight at once, as a percentage of the cluster's active requests.</summary>
    /// <value>Defaults to <see langword="null"/>: no concurrent budget (Istio <c>retryBudget.percent</c>; a YAML <c>retryBudget</c> without it gets Envoy's 20). 0 to 100.</value>
    public double? Percent { get; set; }

    /// <summary>Gets or sets the concurrent retries always allowed, whatever the percentage gives.</summary>
    /// <value>Defaults to 3, Envoy's (Istio <c>retryBudget.minRetryConcurrency</c>). Used only with <see cref="Percent"/>. Must not be negative.</value>
    public int MinRetryConcurrency { get; set; } = RetryDefaults.BudgetMinRetryConcurrency;

    /// <summary>Gets or sets the token budget's ratio: each request adds this many retries to the budget, for <see cref="TokenTtl"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: no token budget (MeshClient only; Linkerd's default is 0.2). 0 to 1000.</value>
    public double? TokenRatio { get; set; }

    /// <summary>Gets or sets the retries a second the token budget always allows, whatever the traffic.</summary>
    /// <value>Defaults to 10, Linkerd's. Used only with <see cref="TokenRatio"/>. Must not be negative.</value>
    public int MinRetriesPerSecond { get; set; } = RetryDefaults.MinRetriesPerSecond;

    /// <summary>Gets or sets how long a request's deposit to the token budget lasts (the window).</summary>
    /// <value>Defaults to 10 seconds, Linkerd's. Used only with <see cref="TokenRatio"/>. Between 1 and 60 seconds, in whole seconds.</value>
    public TimeSpan TokenTtl { get; set; } = RetryDefaults.TokenTtl;
}
