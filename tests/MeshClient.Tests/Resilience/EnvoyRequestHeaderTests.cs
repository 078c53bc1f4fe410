using System.Net;
using MeshClient.Configuration;

namespace MeshClient.Tests.Resilience;

/// <summary>
/// Envoy's retry and timeout request headers are not read (docs/retries-and-timeouts.md, "Envoy's retry
/// request headers"): the route's policy alone decides, and the headers reach the upstream unchanged.
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

    private static readonly string[] Names =
    [
        "x-envoy-retry-on", "x-envoy-retry-grpc-on", "x-envoy-max-retries",
        "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms",
    ];
}
