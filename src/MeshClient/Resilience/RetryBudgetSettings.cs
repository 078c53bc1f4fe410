using MeshClient.Configuration;

namespace MeshClient.Resilience;

/// <summary>A cluster's validated retry budget (<see cref="RetryBudgetOptions"/>); a value, so a reload that keeps it keeps the cluster.</summary>
internal sealed record RetryBudgetSettings(double? Percent, int MinRetryConcurrency, double? TokenRatio, int MinRetriesPerSecond, int TtlSeconds)
{
    public static RetryBudgetSettings? From(RetryBudgetOptions? options) =>
        options is null || (options.Percent is null && options.TokenRatio is null)
            ? null
            : new(options.Percent, options.MinRetryConcurrency, options.TokenRatio, options.MinRetriesPerSecond, (int)options.TokenTtl.TotalSeconds);
}
