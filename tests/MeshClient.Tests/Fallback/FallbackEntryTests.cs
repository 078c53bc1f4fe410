using System.Net;
using System.Net.Http.Headers;
using MeshClient.Configuration;
using MeshClient.Fallback;

namespace MeshClient.Tests.Fallback;

[Trait("Area", "Fallback")]
public sealed class FallbackEntryTests
{
    private static readonly FallbackPolicy Policy = new("api", new FallbackOptions { Ttl = TimeSpan.FromMinutes(5), MaxStale = TimeSpan.FromHours(1) });

    [Fact]
    public async Task Serialize_RoundTrip_KeepsStatusHeadersBodyAndTimes()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent("{\"a\":1}") };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        response.Headers.ETag = new EntityTagHeaderValue("\"v1\"");
        response.Headers.Add("Connection", "close");
        response.Headers.Age = TimeSpan.FromSeconds(3);
        var stored = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var entry = FallbackEntry.Deserialize(FallbackEntry.From(response, "{\"a\":1}"u8.ToArray(), stored, CacheDirectives.For(Policy, response)).Serialize())!;
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        using var replay = entry.ToResponse(request);

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("\"v1\"", replay.Headers.ETag!.Tag);
        Assert.False(replay.Headers.Contains("Connection"));
        Assert.Equal("application/json", replay.Content.Headers.ContentType!.MediaType);
        Assert.Equal("{\"a\":1}", await replay.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Same(request, replay.RequestMessage);
        Assert.Equal(TimeSpan.FromSeconds(13), entry.AgeAt(stored.AddSeconds(10)));
        Assert.True(entry.IsServableAt(stored + TimeSpan.FromMinutes(65) - TimeSpan.FromSeconds(3)));
        Assert.False(entry.IsServableAt(stored + TimeSpan.FromMinutes(65)));
    }

    [Fact]
    public void Deserialize_Garbage_Null()
    {
        Assert.Null(FallbackEntry.Deserialize([]));
        Assert.Null(FallbackEntry.Deserialize([9, 1, 2]));
        Assert.Null(FallbackEntry.Deserialize([1, 0, 0]));
    }

    [Theory]
    [InlineData("no-store", false, 0, 0)]
    [InlineData("private", false, 0, 0)]
    [InlineData("max-age=60", true, 60, 3600)]
    [InlineData("max-age=600", true, 300, 3600)]
    [InlineData("no-cache", true, 0, 3600)]
    [InlineData("max-age=0, stale-if-error=30", true, 0, 30)]
    [InlineData("max-age=0, stale-if-error=0", false, 0, 0)]
    public void CacheDirectives_CacheControl_Respected(string header, bool cacheable, int fresh, int stale)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.CacheControl = CacheControlHeaderValue.Parse(header);

        var directives = CacheDirectives.For(Policy, response);

        Assert.Equal(cacheable, directives.Cacheable);
        if (cacheable)
        {
            Assert.Equal((TimeSpan.FromSeconds(fresh), TimeSpan.FromSeconds(stale)), (directives.Fresh, directives.StaleIfError));
        }
    }

    [Fact]
    public void CacheDirectives_VaryStar_NotCacheable()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Vary.Add("*");
        Assert.False(CacheDirectives.For(Policy, response).Cacheable);
        response.Headers.Vary.Clear();
        response.Headers.Vary.Add("Accept-Encoding");
        Assert.True(CacheDirectives.For(Policy, response).Cacheable);
    }
}
