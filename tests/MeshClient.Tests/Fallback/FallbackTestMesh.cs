using System.Net;
using MeshClient.Configuration;
using MeshClient.Fallback;
using MeshClient.Resilience;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Fallback;

/// <summary>
/// A mesh of one service (api.example.com:80, two endpoints) with a fallback policy, a fake clock (started
/// at the real time: HybridCache's memory level expires entries on the real clock) and an upstream that
/// answers what <see cref="Upstream"/> says.
/// </summary>
internal sealed class FallbackTestMesh : IDisposable
{
    public FallbackTestMesh(
        Action<FallbackOptions>? fallback = null,
        Func<FallbackContext, ValueTask<HttpResponseMessage?>>? respond = null,
        Action<MeshOptions>? mesh = null,
        Action<ExternalServiceOptions>? service = null)
    {
        Harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<TimeProvider>(Time);
                services.AddSingleton(new RetryJitter(() => 0));
                services.AddMesh(m =>
                {
                    m.DefaultTimeout = null;
                    mesh?.Invoke(m);
                });
                services.AddMeshExternalService("api.example.com", s =>
                    {
                        MeshHarness.Static(s, 80, "10.0.0.1", "10.0.0.2");
                        service?.Invoke(s);
                    })
                    .AddFallbackCache(fallback, respond);
            },
            new RecordingHandler((request, ct) =>
            {
                Interlocked.Increment(ref _sent);
                return Upstream(request, ct);
            }));
    }

    private int _sent;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public MeshHarness Harness { get; }

    public int Sent => Volatile.Read(ref _sent);

    /// <summary>What the upstream answers; 200 "v1" until changed.</summary>
    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Upstream { get; set; } = Ok("v1");

    public FallbackCache Cache => Harness.Services.GetRequiredService<FallbackCache>();

    public HttpClient Client => Harness.CreateClient();

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Ok(string body, Action<HttpResponseMessage>? headers = null) => (_, _) =>
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) };
        headers?.Invoke(response);
        return Task.FromResult(response);
    };

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Status(int status) =>
        (_, _) => Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("upstream " + status) });

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Down { get; } =
        (_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));

    /// <summary>Sends a GET and reads the body; returns the status, body and response (disposed).</summary>
    public async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path = "/items?id=1", Action<HttpRequestMessage>? prepare = null, CancellationToken? cancellationToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://api.example.com" + path);
        prepare?.Invoke(request);
        var response = await Client.SendAsync(request, cancellationToken ?? TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response, body);
    }

    /// <summary>Waits (yielding, bounded, no sleep) until <paramref name="count"/> responses were stored: the store runs on the thread pool.</summary>
    public async Task StoredAsync(long count)
    {
        for (var i = 0; i < 2_000_000 && Cache.StoredCount < count; i++)
        {
            await Task.Yield();
        }

        Assert.Equal(count, Cache.StoredCount);
    }

    public void Dispose() => Harness.Dispose();
}
