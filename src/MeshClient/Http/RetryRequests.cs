using System.Net.Http.Headers;
using MeshClient.Resilience;
using Microsoft.Extensions.Logging;

namespace MeshClient.Http;

/// <summary>
/// What a request needs so that it can be sent more than once: a body that can be sent again (buffered
/// up to the route's limit), the <c>x-envoy-attempt-count</c> header, and copies for hedged attempts.
/// </summary>
internal static partial class RetryRequests
{
    /// <summary>The header Istio's sidecars send upstream with the attempt number (1, 2, ...).</summary>
    public const string AttemptCountHeader = "x-envoy-attempt-count";

    /// <summary>The header that makes a non-idempotent request safe to retry (IETF draft "The Idempotency-Key HTTP Header Field").</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Envoy's request header adding status codes to <c>retriable-status-codes</c>; consumed (read and stripped).</summary>
    public const string RetriableStatusCodesHeader = "x-envoy-retriable-status-codes";

    /// <summary>Envoy's request header naming the response headers of <c>retriable-headers</c>; consumed (read and stripped).</summary>
    public const string RetriableHeaderNamesHeader = "x-envoy-retriable-header-names";

    private static readonly HttpRequestOptionsKey<string[]> RetriableStatusCodesKey = new("MeshClient." + RetriableStatusCodesHeader);

    private static readonly HttpRequestOptionsKey<string[]> RetriableHeaderNamesKey = new("MeshClient." + RetriableHeaderNamesHeader);

    private static readonly string[] Counts = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

    /// <summary>
    /// Envoy consumes <c>x-envoy-retriable-status-codes</c> and <c>x-envoy-retriable-header-names</c>: it
    /// reads them for the retry decision and strips them before the request goes upstream. Before an
    /// attempt is sent their values move to the request's options (kept across retries and copied to
    /// hedges), where <see cref="RetriableStatusCodes"/> and <see cref="RetriableHeaderNames"/> find them.
    /// Two header lookups, no allocation, when the request has neither.
    /// </summary>
    public static void ConsumeRetryHeaders(HttpRequestMessage request)
    {
        var headers = request.Headers;
        if (headers.NonValidated.Contains(RetriableStatusCodesHeader))
        {
            Move(request, RetriableStatusCodesHeader, RetriableStatusCodesKey);
        }

        if (headers.NonValidated.Contains(RetriableHeaderNamesHeader))
        {
            Move(request, RetriableHeaderNamesHeader, RetriableHeaderNamesKey);
        }
    }

    /// <summary>The request's <c>x-envoy-retriable-status-codes</c> values (from its header or, once sent, its options).</summary>
    public static string[]? RetriableStatusCodes(HttpRequestMessage request) => Consumed(request, RetriableStatusCodesHeader, RetriableStatusCodesKey);

    /// <summary>The request's <c>x-envoy-retriable-header-names</c> values (from its header or, once sent, its options).</summary>
    public static string[]? RetriableHeaderNames(HttpRequestMessage request) => Consumed(request, RetriableHeaderNamesHeader, RetriableHeaderNamesKey);

    private static void Move(HttpRequestMessage request, string header, HttpRequestOptionsKey<string[]> key)
    {
        request.Options.Set(key, [.. request.Headers.NonValidated[header]]);
        request.Headers.Remove(header);
    }

    private static string[]? Consumed(HttpRequestMessage request, string header, HttpRequestOptionsKey<string[]> key)
    {
        if (request.Options.TryGetValue(key, out var values))
        {
            return values;
        }

        return request.Headers.NonValidated.TryGetValues(header, out var raw) ? [.. raw] : null;
    }

    /// <summary>Sets the attempt number on the request of the attempt (a cached string: no allocation up to 10).</summary>
    public static void SetAttemptCount(HttpRequestHeaders headers, int attempt)
    {
        headers.Remove(AttemptCountHeader);
        headers.TryAddWithoutValidation(AttemptCountHeader, (uint)attempt < (uint)Counts.Length ? Counts[attempt] : attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT and DELETE.</summary>
    public static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
        || method == HttpMethod.Trace || method == HttpMethod.Put || method == HttpMethod.Delete;

    /// <summary>Whether a failure of <paramref name="request"/> that may have reached the server can be retried under <paramref name="policy"/>.</summary>
    public static bool MayRetryAfterSending(HttpRequestMessage request, RetryPolicy policy) =>
        policy.RetryNonIdempotent || IsIdempotent(request.Method) || request.Headers.Contains(IdempotencyKeyHeader);

    /// <summary>
    /// Makes the request's body sendable again before the first attempt: bodies that are (bytes, strings,
    /// forms) are left alone, others of known length up to the limit are buffered. Returns whether the
    /// request may be sent again; when not, the reason is logged and the request gets one attempt.
    /// </summary>
    public static ValueTask<bool> PrepareAsync(HttpRequestMessage request, RetryPolicy policy, ILogger logger, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null or ByteArrayContent or ReadOnlyMemoryContent)
        {
            return new(true); // sent again from memory, as it is (StringContent, FormUrlEncodedContent are ByteArrayContent)
        }

        var length = content.Headers.ContentLength;
        if (length is not { } bytes || bytes > policy.MaxRequestBufferBytes)
        {
            LogNotResendable(logger, request.Method, request.RequestUri, length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", policy.MaxRequestBufferBytes);
            return new(false);
        }

        return BufferAsync(content, bytes, cancellationToken);
    }

    /// <summary>A copy of <paramref name="request"/> for a hedged attempt: same method, URI, version, headers, body (sent again from its buffer) and options, with its own attempt state.</summary>
    public static HttpRequestMessage Copy(HttpRequestMessage request, AttemptContext attempt)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
            Content = request.Content,
        };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        copy.Options.Set(AttemptContext.Key, attempt);
        attempt.Request = copy;
        return copy;
    }

    private static async ValueTask<bool> BufferAsync(HttpContent content, long bytes, CancellationToken cancellationToken)
    {
#if NET9_0_OR_GREATER
        await content.LoadIntoBufferAsync(bytes, cancellationToken).ConfigureAwait(false);
#else
        await content.LoadIntoBufferAsync(bytes).WaitAsync(cancellationToken).ConfigureAwait(false);
#endif
        return true;
    }

    [LoggerMessage(30, LogLevel.Information, "Request {Method} {Uri} gets no retry: its body ({Length} bytes) cannot be sent again and is not buffered (the limit is {Limit} bytes, HttpRetryOptions.MaxRequestBufferBytes).")]
    private static partial void LogNotResendable(ILogger logger, HttpMethod method, Uri? uri, string length, long limit);
}
