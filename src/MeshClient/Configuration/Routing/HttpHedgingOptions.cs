namespace MeshClient.Configuration;

/// <summary>
/// Hedged requests (gRPC A6 <c>hedgingPolicy</c>): the first attempt goes at once, another every
/// <see cref="Delay"/> while none has answered, up to <see cref="MaxAttempts"/>, each to a different
/// endpoint. The first acceptable response wins; the others are cancelled and disposed. Only idempotent
/// requests (or ones with an <c>Idempotency-Key</c>, or routes with
/// <see cref="HttpRetryOptions.RetryNonIdempotent"/>) are hedged; others get one attempt.
/// </summary>
public sealed class HttpHedgingOptions
{
    /// <summary>Gets or sets how long to wait for an answer before sending the next hedged attempt.</summary>
    /// <value>Defaults to 100 ms. <see cref="TimeSpan.Zero"/> sends all attempts at once, as in gRPC.</value>
    public TimeSpan Delay { get; set; } = RetryDefaults.HedgingDelay;

    /// <summary>Gets or sets the most attempts of one request, the first included.</summary>
    /// <value>Defaults to 2; between 2 and 5 (gRPC caps hedged attempts at 5).</value>
    public int MaxAttempts { get; set; } = 2;
}
