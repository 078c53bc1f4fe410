using System.Globalization;

namespace MeshClient.Resilience;

/// <summary>
/// Istio's <c>retryOn</c> list (ISTIO-SEMANTICS.md §2.3), the one place its spellings are read:
/// comma-separated Envoy conditions and HTTP status codes. A status code adds it to the retriable
/// codes and turns on <c>retriable-status-codes</c>, as Istio's <c>ConvertPolicy</c> does.
/// </summary>
internal static class RetryOn
{
    /// <summary>Istio's built-in default, without 503 since Istio 1.24 (istio/istio#52111).</summary>
    public const string IstioDefault = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    private static readonly (string Token, RetryConditions Condition)[] Tokens =
    [
        ("5xx", RetryConditions.FiveXx),
        ("gateway-error", RetryConditions.GatewayError),
        ("reset", RetryConditions.Reset),
        ("reset-before-request", RetryConditions.ResetBeforeRequest),
        ("connect-failure", RetryConditions.ConnectFailure),
        ("envoy-ratelimited", RetryConditions.EnvoyRateLimited),
        ("retriable-4xx", RetryConditions.Retriable4xx),
        ("refused-stream", RetryConditions.RefusedStream),
        ("retriable-status-codes", RetryConditions.RetriableStatusCodes),
        ("retriable-headers", RetryConditions.RetriableHeaders),
        ("http3-post-connect-failure", RetryConditions.Http3PostConnectFailure),
        ("cancelled", RetryConditions.GrpcCancelled),
        ("deadline-exceeded", RetryConditions.GrpcDeadlineExceeded),
        ("internal", RetryConditions.GrpcInternal),
        ("resource-exhausted", RetryConditions.GrpcResourceExhausted),
        ("unavailable", RetryConditions.GrpcUnavailable),
    ];

    /// <summary>Every accepted token, for messages.</summary>
    public static string Accepted { get; } = string.Join(", ", Array.ConvertAll(Tokens, static t => t.Token)) + " or an HTTP status code";

    /// <summary>
    /// Parses <paramref name="text"/>; the invalid tokens are listed in <paramref name="invalid"/>
    /// (empty when every token is valid). Empty tokens are skipped, as Istio's split-and-trim does.
    /// </summary>
    public static RetryConditions Parse(string text, List<int> statusCodes, List<string> invalid)
    {
        var conditions = RetryConditions.None;
        foreach (var raw in text.Split(','))
        {
            var token = raw.Trim();
            if (token.Length == 0)
            {
                continue;
            }

            if (Find(token) is { } condition)
            {
                conditions |= condition;
            }
            else if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
            {
                // Istio: a token that is an HTTP status goes to retriable_status_codes, and
                // retriable-status-codes is appended.
                if (!statusCodes.Contains(code))
                {
                    statusCodes.Add(code);
                }

                conditions |= RetryConditions.RetriableStatusCodes;
            }
            else
            {
                invalid.Add(token);
            }
        }

        return conditions;
    }

    /// <summary>The token of one condition (for retry reasons and messages).</summary>
    public static string Format(RetryConditions condition)
    {
        foreach (var (token, value) in Tokens)
        {
            if (value == condition)
            {
                return token;
            }
        }

        return condition == RetryConditions.PerTryTimeout ? "per-try-timeout" : condition.ToString();
    }

    private static RetryConditions? Find(string token)
    {
        foreach (var (name, condition) in Tokens)
        {
            if (string.Equals(name, token, StringComparison.Ordinal))
            {
                return condition;
            }
        }

        return null;
    }
}
