namespace MeshClient;

/// <summary>One retry (or hedged attempt) of a request, as <see cref="MeshResult.Retries"/> reports it.</summary>
public sealed class MeshRetry
{
    internal MeshRetry(int attempt, string? endpoint, string reason)
    {
        Attempt = attempt;
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary>Gets the number of the attempt that failed and was retried (1 for the first attempt).</summary>
    public int Attempt { get; }

    /// <summary>Gets the endpoint that attempt went to, or <see langword="null"/> when none was picked.</summary>
    public string? Endpoint { get; }

    /// <summary>Gets why it was retried: Envoy's <c>retryOn</c> condition (<c>connect-failure</c>, <c>5xx</c>, a status code such as <c>503</c>, <c>per-try-timeout</c>), or <c>hedge</c>.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"attempt {Attempt} to {Endpoint ?? "-"}: {Reason}";
}
