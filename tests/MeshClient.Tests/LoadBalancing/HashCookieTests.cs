using System.Net;
using MeshClient.Configuration;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using MeshClient.Tests.Resilience;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>Istio <c>consistentHash.httpCookie</c> with <c>ttl</c>: the cookie generated when absent, returned as Envoy's <c>Set-Cookie</c>.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class HashCookieTests
{
    private const string Url = "https://api.example.com/items";

    private static MeshHarness Harness(TimeSpan? ttl, string? path = "/", bool maglev = false, RecordingHandler? handler = null, params HttpCookieAttributeOptions[] attributes) => new(
        services => services.AddMeshExternalService("api.example.com", s =>
        {
            MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4");
            var cookie = new HttpCookieOptions { Name = "affinity", Path = path, Ttl = ttl };
            foreach (var attribute in attributes)
            {
                cookie.Attributes.Add(attribute);
            }

            s.TrafficPolicy.LoadBalancer.ConsistentHash = new ConsistentHashOptions
            {
                HttpCookie = cookie,
                Maglev = maglev ? new MaglevOptions() : null,
            };
        }),
        handler);

    private static async Task<(string? Endpoint, string? SetCookie)> SendAsync(MeshHarness harness, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        using var response = await harness.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? Assert.Single(values) : null;
        return (response.GetMeshResult()?.Endpoint, setCookie);
    }

    /// <summary>The cookie pair (<c>affinity="…"</c>) of a <c>Set-Cookie</c> value, as a client sends it back.</summary>
    private static string Pair(string setCookie) => setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_NoCookieWithTtl_SetCookieInEnvoysFormat_AndTheCookieKeepsTheEndpoint(bool maglev)
    {
        using var harness = Harness(TimeSpan.FromHours(1), "/api", maglev);

        var (endpoint, setCookie) = await SendAsync(harness);

        Assert.NotNull(setCookie);
        Assert.Matches("^affinity=\"[0-9a-f]{16}\"; Max-Age=3600; Path=/api; HttpOnly$", setCookie);
        for (var i = 0; i < 10; i++)
        {
            var (again, none) = await SendAsync(harness, "theme=dark; " + Pair(setCookie));
            Assert.Equal(endpoint, again);
            Assert.Null(none); // the request carried the cookie: nothing generated
        }
    }

    [Fact]
    public async Task Send_NoCookie_AttributesAfterThePathBeforeHttpOnly_AsEnvoyWritesThem()
    {
        using var harness = Harness(TimeSpan.FromHours(1), "/api", attributes: [new("SameSite", "Strict"), new("Secure"), new("Partitioned", string.Empty)]);

        var (endpoint, setCookie) = await SendAsync(harness);

        Assert.NotNull(setCookie);
        Assert.Matches("^affinity=\"[0-9a-f]{16}\"; Max-Age=3600; Path=/api; SameSite=Strict; Secure; Partitioned; HttpOnly$", setCookie);
        var (again, _) = await SendAsync(harness, Pair(setCookie));
        Assert.Equal(endpoint, again);
    }

    [Fact]
    public async Task Send_ManyRequestsWithoutCookie_DistinctCookiesSpreadOverEndpoints()
    {
        using var harness = Harness(TimeSpan.FromMinutes(5));
        var cookies = new HashSet<string>();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 400; i++)
        {
            var (endpoint, setCookie) = await SendAsync(harness);
            Assert.NotNull(setCookie);
            Assert.NotNull(endpoint);
            cookies.Add(Pair(setCookie));
            counts[endpoint] = counts.GetValueOrDefault(endpoint) + 1;

            // each generated cookie sends its holder where its first request went
            Assert.Equal(endpoint, (await SendAsync(harness, Pair(setCookie))).Endpoint);
        }

        Assert.Equal(400, cookies.Count);
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 50, 150)); // 100 expected each
    }

    [Fact]
    public async Task Send_TtlZero_SessionCookieWithoutMaxAge()
    {
        using var harness = Harness(TimeSpan.Zero, path: null);

        var (_, setCookie) = await SendAsync(harness);

        Assert.Matches("^affinity=\"[0-9a-f]{16}\"; HttpOnly$", setCookie);
    }

    [Fact]
    public async Task Send_NoTtl_NoCookieGenerated_RandomPicks()
    {
        using var harness = Harness(ttl: null);
        var endpoints = new HashSet<string?>();
        for (var i = 0; i < 40; i++)
        {
            var (endpoint, setCookie) = await SendAsync(harness);
            Assert.Null(setCookie);
            endpoints.Add(endpoint);
        }

        Assert.True(endpoints.Count > 1, "requests without the cookie go to random endpoints");
    }

    [Fact]
    public async Task Send_RetriedRequestWithoutCookie_OneCookie_EveryAttemptOnItsEndpoint()
    {
        using var mesh = new RetryTestMesh(
            route => route.Retries = new HttpRetryOptions { RetryOn = "5xx", Attempts = 3 },
            service: s =>
            {
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.Unspecified;
                s.TrafficPolicy.LoadBalancer.ConsistentHash = new ConsistentHashOptions { HttpCookie = new HttpCookieOptions { Name = "affinity", Ttl = TimeSpan.FromSeconds(30) } };
            });
        mesh.Then(RetryTestMesh.Status(503), RetryTestMesh.Status(503));

        using var response = await mesh.Client.GetAsync(Url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = mesh.Harness.Handler.Seen;
        Assert.Equal(3, seen.Count);
        Assert.All(seen, s => Assert.Equal(seen[0].Target, s.Target)); // consistent hash: every retry hashes the same cookie
        Assert.Matches("^affinity=\"[0-9a-f]{16}\"; Max-Age=30; HttpOnly$", Assert.Single(response.Headers.GetValues("Set-Cookie")));
    }

    [Fact]
    public void ToSetCookie_SubSecondTtl_SessionCookie()
    {
        var result = new MeshResult();
        var cookie = HashCookie.For(result, new HashKey(HashKeySource.Cookie, "c", "/", TimeSpan.FromMilliseconds(500)), new Random(3));

        Assert.Same(cookie, HashCookie.For(result, new HashKey(HashKeySource.Cookie, "c", "/", TimeSpan.FromMilliseconds(500)), new Random(4)));
        Assert.Equal($"c=\"{cookie.Value}\"; Path=/; HttpOnly", cookie.ToSetCookie());
        Assert.Equal(RequestHash.Hash(cookie.Value), cookie.Hash);
    }
}
