namespace MeshClient.Resilience;

/// <summary>
/// The random source of the retry back-off's jitter: uniform in [0, 1). One per runtime; tests
/// register their own (in the service collection) to make back-offs predictable.
/// </summary>
internal sealed class RetryJitter(Func<double> next)
{
    public static RetryJitter Shared { get; } = new(static () => Random.Shared.NextDouble());

    public double Next() => next();
}
