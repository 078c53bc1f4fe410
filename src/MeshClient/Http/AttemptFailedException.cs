namespace MeshClient.Http;

/// <summary>
/// An attempt ended without an upstream response for an upstream reason (Envoy's <c>UH</c>,
/// <c>UF</c>, <c>UC</c>, <c>DF</c>), or refused by a connection-pool limit (<c>UO</c>, which must never be
/// retried): the attempt's outcome, carried to the route's pipeline, which decides (retry, or give up) and builds the caller's response or exception once at the top. Never
/// reaches the application.
/// </summary>
internal sealed class AttemptFailedException : Exception
{
    public AttemptFailedException(MeshResponseFlags flags, string? endpoint, Exception? cause)
        : base(cause?.Message ?? flags.ToEnvoyString(), cause)
    {
        Flags = flags;
        Endpoint = endpoint;
    }

    public AttemptFailedException()
    {
    }

    public AttemptFailedException(string message)
        : base(message)
    {
    }

    public AttemptFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MeshResponseFlags Flags { get; }

    /// <summary>The Envoy retry conditions the failure satisfies (none for <c>UH</c>: no attempt was made, and Envoy does not retry it).</summary>
    internal Resilience.RetryConditions Conditions { get; init; }

    /// <summary>The endpoint the attempt went to, or <see langword="null"/> when none was picked (<c>UH</c>).</summary>
    public string? Endpoint { get; }
}
