using System.Net;
using MeshClient.Configuration;

namespace MeshClient.Tests.Resilience;

/// <summary>Every Envoy <c>retryOn</c> condition, retried or not, for each kind of attempt outcome (ISTIO-SEMANTICS.md §2.3).</summary>
[Trait("Area", "Retries")]
public sealed class RetryOnTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string?, string, bool> Cases => new()
    {
        { "5xx", "500", true },
        { "5xx", "503", true },
        { "5xx", "connect", true },
        { "5xx", "reset", true },
        { "5xx", "409", false },
        { "5xx", "ratelimited", false },
        { "gateway-error", "502", true },
        { "gateway-error", "504", true },
        { "gateway-error", "500", false },
        { "gateway-error", "reset", true },
        { "reset", "reset", true },
        { "reset", "ended", true },
        { "reset", "503", false },
        { "reset-before-request", "connect", true },
        { "reset-before-request", "refused", true },
        { "reset-before-request", "reset", false },
        { "connect-failure", "connect", true },
        { "connect-failure", "dns", false }, // DF: Envoy answers a failed resolution locally, never retried
        { "connect-failure", "connect-timeout", true },
        { "connect-failure", "reset", false },
        { "connect-failure", "503", false },
        { "refused-stream", "refused", true },
        { "refused-stream", "reset", false },
        { "retriable-4xx", "409", true },
        { "retriable-4xx", "404", false },
        { "503", "503", true },
        { "503", "502", false },
        { "retriable-status-codes", "503", false },
        { "envoy-ratelimited", "ratelimited", true },
        { "unavailable", "grpc14", true },
        { "cancelled", "grpc1", true },
        { "deadline-exceeded", "grpc4", true },
        { "resource-exhausted", "grpc8", true },
        { "internal", "grpc13", true },
        { "unavailable", "grpc13", false },
        { "unavailable", "plain-grpc14", false }, // grpc-status on a response that is not gRPC: not looked into
        { "http3-post-connect-failure", "reset", false },
        { null, "connect", true }, // Istio's default: connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes
        { null, "refused", true },
        { null, "grpc14", true },
        { null, "grpc1", true },
        { null, "503", false }, // not since Istio 1.24
        { null, "reset", false },
        { null, "200", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RetryOn_Condition_RetriedOrNot(string? retryOn, string outcome, bool retried)
    {
        using var mesh = new RetryTestMesh(route => route.Retries = retryOn is null ? null : new HttpRetryOptions { RetryOn = retryOn, Attempts = 1 });
        mesh.Then(Outcome(outcome));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        var result = response.GetMeshResult()!;
        Assert.Equal(retried ? 2 : 1, result.Attempts);
        if (retried)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var retry = Assert.Single(result.Retries);
            Assert.Equal(1, retry.Attempt);
            Assert.Equal("10.0.0.1:443", retry.Endpoint);
            Assert.Equal("10.0.0.2:443", result.Endpoint);
        }
        else
        {
            Assert.Empty(result.Retries);
        }

        mesh.AssertIdle();
    }

    [Theory]
    [InlineData("connect", "connect-failure")]
    [InlineData("refused", "refused-stream")]
    [InlineData("reset", "reset")]
    [InlineData("503", "503")]
    [InlineData("500", "5xx")]
    [InlineData("grpc14", "unavailable")]
    public async Task RetryReason_NamesTheMostSpecificCondition(string outcome, string reason)
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "5xx,reset,connect-failure,refused-stream,503,unavailable", Attempts = 1 });
        mesh.Then(Outcome(outcome));

        using var response = await mesh.Client.GetAsync("https://api.example.com/", Ct);

        Assert.Equal(reason, Assert.Single(response.GetMeshResult()!.Retries).Reason);
    }

    [Fact]
    public async Task RetriableStatusCodes_FromTheRequestHeader_AreRetried()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "retriable-status-codes", Attempts = 1 });
        mesh.Then(RetryTestMesh.Status(503));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-envoy-retriable-status-codes", "500, 503");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(2, response.GetMeshResult()!.Attempts);
    }

    [Fact]
    public async Task RetriableHeaders_FromTheRequestHeader_AreRetried()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "retriable-headers", Attempts = 1 });
        mesh.Then((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.TryAddWithoutValidation("x-upstream-retry", "1");
            return Task.FromResult(response);
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-envoy-retriable-header-names", "x-upstream-retry");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(2, response.GetMeshResult()!.Attempts);
    }

    internal static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Outcome(string outcome) => outcome switch
    {
        "connect" => RetryTestMesh.Throw(new HttpRequestException(HttpRequestError.ConnectionError, "refused")),
        "dns" => RetryTestMesh.Throw(new HttpRequestException(HttpRequestError.NameResolutionError, "no such host")),
        "connect-timeout" => RetryTestMesh.Throw(new TaskCanceledException("connect timeout")),
        "reset" => RetryTestMesh.Throw(new HttpRequestException("reset", new IOException("connection reset by peer"))),
        "ended" => RetryTestMesh.Throw(new HttpRequestException(HttpRequestError.ResponseEnded, "response ended")),
        "refused" => RetryTestMesh.Throw(new HttpRequestException(HttpRequestError.HttpProtocolError, "refused", new HttpProtocolException(0x7, "REFUSED_STREAM", null))),
        "ratelimited" => (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            response.Headers.TryAddWithoutValidation("x-envoy-ratelimited", "true");
            return Task.FromResult(response);
        }
        ,
        "plain-grpc14" => (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.TryAddWithoutValidation("grpc-status", "14");
            return Task.FromResult(response);
        }
        ,
        _ when outcome.StartsWith("grpc", StringComparison.Ordinal) => (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
            response.Content.Headers.ContentType = new("application/grpc");
            response.Headers.TryAddWithoutValidation("grpc-status", outcome[4..]);
            return Task.FromResult(response);
        }
        ,
        _ => RetryTestMesh.Status(int.Parse(outcome, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
