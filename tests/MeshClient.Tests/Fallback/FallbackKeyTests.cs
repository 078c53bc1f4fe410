using System.Net.Http.Headers;
using MeshClient.Configuration;
using MeshClient.Fallback;

namespace MeshClient.Tests.Fallback;

[Trait("Area", "Fallback")]
public sealed class FallbackKeyTests
{
    private static string? Key(string url, Action<HttpRequestMessage>? prepare = null, Action<FallbackOptions>? options = null, HttpMethod? method = null)
    {
        var fallback = new FallbackOptions();
        options?.Invoke(fallback);
        var policy = new FallbackPolicy("api", fallback);
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        prepare?.Invoke(request);
        return FallbackKey.Create(policy, request, request.RequestUri!);
    }

    [Fact]
    public void Create_EachPartChangesTheKey()
    {
        var keys = new[]
        {
            Key("https://api.example.com/a?x=1"),
            Key("http://api.example.com/a?x=1"),
            Key("https://other.example.com/a?x=1"),
            Key("https://api.example.com:8443/a?x=1"),
            Key("https://api.example.com/b?x=1"),
            Key("https://api.example.com/a?x=2"),
            Key("https://api.example.com/a?x=1", method: HttpMethod.Head),
            Key("https://api.example.com/a?x=1", r => r.Headers.AcceptEncoding.ParseAdd("gzip")),
        };

        Assert.All(keys, k => Assert.StartsWith("meshclient:fallback:api:", k, StringComparison.Ordinal));
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Create_HostCase_SameKey() =>
        Assert.Equal(Key("https://API.example.com/a"), Key("https://api.example.com/a"));

    [Fact]
    public void Create_VaryHeaders_ValuesInTheKeyInAnyListedOrder()
    {
        Action<FallbackOptions> both = f =>
        {
            f.VaryHeaders.Add("X-Tenant");
            f.VaryHeaders.Add("Accept-Language");
        };
        Action<FallbackOptions> reversed = f =>
        {
            f.VaryHeaders.Add("accept-language");
            f.VaryHeaders.Add("x-tenant");
        };

        var a = Key("https://api.example.com/", r => r.Headers.Add("X-Tenant", "a"), both);
        Assert.NotEqual(a, Key("https://api.example.com/", r => r.Headers.Add("X-Tenant", "b"), both));
        Assert.NotEqual(a, Key("https://api.example.com/", null, both));
        Assert.Equal(a, Key("https://api.example.com/", r => r.Headers.Add("X-Tenant", "a"), reversed));
        Assert.Equal(Key("https://api.example.com/"), Key("https://api.example.com/", r => r.Headers.Add("X-Tenant", "a"))); // not listed: not in the key
    }

    [Fact]
    public void Create_Credentials_NoKeyUnlessOptedIn()
    {
        Assert.Null(Key("https://api.example.com/", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t")));
        Assert.Null(Key("https://api.example.com/", r => r.Headers.Add("Cookie", "s=1")));
    }

    [Fact]
    public void Create_CredentialsOptedIn_KeyedByTheirHashNotTheirText()
    {
        Action<FallbackOptions> optIn = f => f.CacheAuthorizedRequests = true;
        var alice = Key("https://api.example.com/", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "alice-token"), optIn)!;
        var bob = Key("https://api.example.com/", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bob-token"), optIn);
        var cookie = Key("https://api.example.com/", r => r.Headers.Add("Cookie", "s=alice-token"), optIn);
        var anonymous = Key("https://api.example.com/", null, optIn);

        Assert.Equal(4, new[] { alice, bob, cookie, anonymous }.Distinct().Count());
        Assert.DoesNotContain("alice", alice, StringComparison.Ordinal);
        Assert.Equal(alice, Key("https://api.example.com/", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "alice-token"), optIn));
    }

    [Fact]
    public void Create_MethodNotListed_NoKey()
    {
        Assert.Null(Key("https://api.example.com/", method: HttpMethod.Post));
        Assert.NotNull(Key("https://api.example.com/", method: HttpMethod.Post, options: f => f.Methods.Add("POST")));
        Assert.Null(Key("https://api.example.com/", options: f => f.Methods.Add("POST"))); // GET no longer listed
    }
}
