using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MeshClient.Demo;

/// <summary>
/// One instance of the fake "external" quotes API, the slow one: a Kestrel server on 127.0.0.1.
/// <c>GET /quote?symbol=ACME</c> answers at once; with <c>&amp;delayMs=1500</c> it first waits that
/// long, honouring <see cref="HttpContext.RequestAborted"/>, so it stops as soon as the caller (here
/// the mesh, when the route timeout expires) cancels the request. It counts, on its own side, what it
/// answered fast, how many slow requests were aborted while it waited, and how many it answered late.
/// </summary>
internal sealed class QuotesService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _served;
    private long _slowStarted;
    private long _slowAborted;
    private long _slowAnswered;
    private long _wrongHost;

    private QuotesService(string name, string expectedHost, int weight)
    {
        Name = name;
        ExpectedHost = expectedHost;
        Weight = weight;
        _app = EmbeddedService.CreateApp(name);
        _app.MapGet("/quote", HandleQuoteAsync);
    }

    public string Name { get; }

    public string ExpectedHost { get; }

    public int Weight { get; }

    public int Port { get; private set; }

    /// <summary>Requests without a delay, answered 200 at once.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Requests that asked for a delay and started waiting.</summary>
    public long SlowStarted => Interlocked.Read(ref _slowStarted);

    /// <summary>Slow requests whose <see cref="HttpContext.RequestAborted"/> fired while the instance waited.</summary>
    public long SlowAborted => Interlocked.Read(ref _slowAborted);

    /// <summary>Slow requests that waited the whole delay and were answered (late: the caller should have given up).</summary>
    public long SlowAnswered => Interlocked.Read(ref _slowAnswered);

    /// <summary>Slow requests still waiting.</summary>
    public long SlowInProgress => SlowStarted - SlowAborted - SlowAnswered;

    public long WrongHost => Interlocked.Read(ref _wrongHost);

    public static async Task<QuotesService> StartAsync(string name, string expectedHost, int weight)
    {
        var service = new QuotesService(name, expectedHost, weight);
        await service._app.StartAsync();
        service.Port = new Uri(service._app.Urls.First()).Port;
        await service.WarmUpAsync();
        return service;
    }

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until no slow request is still waiting on any instance:
    /// the mesh answers 504 as soon as it cancels, and the instance notices the abort a moment later.
    /// </summary>
    public static async Task SettleAsync(IReadOnlyList<QuotesService> instances, TimeSpan limit)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (instances.Any(i => i.SlowInProgress > 0) && TimeProvider.System.GetElapsedTime(started) < limit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>
    /// One request straight to the instance (no mesh, not counted): a Kestrel app's first request
    /// builds its routing and JSON serialization, which on a cold process can take a good part of the
    /// route timeout, and the demo's fast calls must show the service, not its start-up.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }))
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{Port}/quote?symbol=WARMUP"));
            response.EnsureSuccessStatusCode();
        }

        // The counters start with the mesh's first request.
        Interlocked.Exchange(ref _served, 0);
        Interlocked.Exchange(ref _wrongHost, 0);
    }

    private async Task HandleQuoteAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        if (!string.Equals(host, ExpectedHost, StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _wrongHost);
        }

        if (int.TryParse(context.Request.Query["delayMs"], NumberStyles.None, CultureInfo.InvariantCulture, out var delayMs) && delayMs > 0)
        {
            Interlocked.Increment(ref _slowStarted);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delayMs), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The caller gave up and the connection was closed: nobody is left to answer.
                Interlocked.Increment(ref _slowAborted);
                return;
            }

            Interlocked.Increment(ref _slowAnswered);
        }
        else
        {
            Interlocked.Increment(ref _served);
        }

        var symbol = context.Request.Query["symbol"].ToString();
        await context.Response.WriteAsJsonAsync(new QuoteReport(Name, host, string.IsNullOrEmpty(symbol) ? "ACME" : symbol, 42.17m), context.RequestAborted);
    }
}

/// <summary>What the quotes API answers: which instance served the call and the Host it saw.</summary>
internal sealed record QuoteReport(string Instance, string Host, string Symbol, decimal Price);
