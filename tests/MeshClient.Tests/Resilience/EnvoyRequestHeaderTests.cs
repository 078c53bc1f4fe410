using System.Net;
using MeshClient.Configuration;

namespace MeshClient.Tests.Resilience;

/// <summary>
/// Envoy's retry and timeout request headers are not read (docs/retries-and-timeouts.md, "Envoy's retry
/// request headers"): the route's policy alone decides, and the headers reach the upstream unchanged.
/// The two it does read (<c>x-envoy-retriable-status-codes</c>, <c>x-envoy-retriable-header-names</c>) are
/// consumed as Envoy consumes them: stripped before any attempt goes upstream.
/// </summary>
[Trait("Area", "Retries")]
public sealed class EnvoyRequestHeaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RetryAndTimeoutHeaders_AreNotRead_TheRoutePolicyDecides_AndTheyAreForwarded()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "connect-failure", Attempts = 1 });
        string[]? forwarded = null;
        mesh.Then((request, _) =>
        {
            forwarded = [.. Names.Where(request.Headers.Contains)];
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-envoy-retry-on", "5xx");
        request.Headers.TryAddWithoutValidation("x-envoy-retry-grpc-on", "unavailable");
        request.Headers.TryAddWithoutValidation("x-envoy-max-retries", "3");
        request.Headers.TryAddWithoutValidation("x-envoy-upstream-rq-timeout-ms", "1");
        request.Headers.TryAddWithoutValidation("x-envoy-upstream-rq-per-try-timeout-ms", "1");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // 5xx not added to retryOn
        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Equal(Names, forwarded);
        mesh.AssertIdle();
    }

    [Fact]
    public async Task RetriableStatusCodesAndHeaderNames_AreReadThenStripped_NoAttemptSendsThemUpstream()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { RetryOn = "retriable-status-codes,retriable-headers", Attempts = 2 });
        var seen = new List<string[]>();
        mesh.Then(
            (request, _) =>
            {
                seen.Add([.. Consumed.Where(request.Headers.Contains)]);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)); // listed by x-envoy-retriable-status-codes
            },
            (request, _) =>
            {
                seen.Add([.. Consumed.Where(request.Headers.Contains)]);
                var response = new HttpResponseMessage(HttpStatusCode.OK);
                response.Headers.TryAddWithoutValidation("x-upstream-retry", "1"); // named by x-envoy-retriable-header-names
                return Task.FromResult(response);
            },
            (request, _) =>
            {
                seen.Add([.. Consumed.Where(request.Headers.Contains)]);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
            });
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-envoy-retriable-status-codes", "503");
        request.Headers.TryAddWithoutValidation("x-envoy-retriable-header-names", "x-upstream-retry");
        request.Headers.TryAddWithoutValidation("x-envoy-retry-on", "5xx");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, response.GetMeshResult()!.Attempts); // both headers were still read after the first attempt stripped them
        Assert.Equal(3, seen.Count);
        Assert.All(seen, Assert.Empty);
        Assert.Equal(["x-envoy-retry-on"], Names.Where(request.Headers.Contains)); // not read, so forwarded (above)
        mesh.AssertIdle();
    }

    [Fact]
    public async Task RetriableHeaders_StrippedAlsoOnARouteWithoutRetries()
    {
        using var mesh = new RetryTestMesh(route => route.Retries = new HttpRetryOptions { Attempts = 0 });
        string[]? forwarded = null;
        mesh.Then((request, _) =>
        {
            forwarded = [.. Consumed.Where(request.Headers.Contains)];
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-envoy-retriable-status-codes", "503");
        request.Headers.TryAddWithoutValidation("x-envoy-retriable-header-names", "x-upstream-retry");

        using var response = await mesh.Client.SendAsync(request, Ct);

        Assert.Equal(1, response.GetMeshResult()!.Attempts);
        Assert.Empty(forwarded!);
        mesh.AssertIdle();
    }

    private static readonly string[] Consumed = ["x-envoy-retriable-status-codes", "x-envoy-retriable-header-names"];

    private static readonly string[] Names =
    [
        "x-envoy-retry-on", "x-envoy-retry-grpc-on", "x-envoy-max-retries",
        "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms",
    ];
}
