using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace MeshClient.Demo;

/// <summary>
/// A few concurrent workers calling the declared services through <see cref="IHttpClientFactory"/>
/// clients, as application code would: mostly the weather API, one call in ten the alerts API
/// (whose only endpoint is down) and one in twenty an undeclared host that REGISTRY_ONLY blocks.
/// Two more callers of their own call the quotes API, every fourth call a slow one, so the calls
/// that wait for the route timeout never hold up the other workers' calls.
/// </summary>
internal sealed class TrafficDriver(IHttpClientFactory clients, TrafficStats stats)
{
    /// <summary>Callers of the quotes API, besides the workers.</summary>
    public const int QuoteCallers = 2;

    /// <summary>Every fourth call of a quotes caller asks for a slow answer.</summary>
    public const int SlowQuoteEvery = 4;

    /// <summary>How long a slow quote makes the instance wait: well past the route timeout.</summary>
    public static readonly TimeSpan SlowQuoteDelay = TimeSpan.FromMilliseconds(1500);

    private const string TimeoutBody = "upstream request timeout";

    private static readonly string[] Cities = ["Zurich", "Lisbon", "Oslo", "Nairobi", "Lima"];
    private static readonly string[] Symbols = ["ACME", "GLOBEX", "INITECH"];

    /// <summary>Pause between two calls of one worker, so the demo shows a steady few hundred requests a second.</summary>
    private static readonly TimeSpan ThinkTime = TimeSpan.FromMilliseconds(5);

    public Task RunAsync(int workers, CancellationToken stop)
    {
        var tasks = new Task[workers + QuoteCallers];
        for (var i = 0; i < workers; i++)
        {
            tasks[i] = Task.Run(() => WorkAsync(MixedTarget, stop), CancellationToken.None);
        }

        for (var i = workers; i < tasks.Length; i++)
        {
            tasks[i] = Task.Run(() => WorkAsync(QuoteTarget, stop), CancellationToken.None);
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>One call to each host (a fast and a slow one to the quotes API), before the load, to show each kind of answer.</summary>
    public async Task WarmUpAsync()
    {
        await CallAsync(CallTarget.Weather, 0);
        await CallAsync(CallTarget.Quote, 0);
        await CallAsync(CallTarget.SlowQuote, 0);
        await CallAsync(CallTarget.Alerts, 0);
        await CallAsync(CallTarget.Blocked, 0);
    }

    private static CallTarget MixedTarget(int i) =>
        i % 20 == 19 ? CallTarget.Blocked
        : i % 10 == 4 ? CallTarget.Alerts
        : CallTarget.Weather;

    private static CallTarget QuoteTarget(int i) => i % SlowQuoteEvery == SlowQuoteEvery - 1 ? CallTarget.SlowQuote : CallTarget.Quote;

    private async Task WorkAsync(Func<int, CallTarget> pick, CancellationToken stop)
    {
        // Calls in flight finish even when the time is up: stopping only ends the loop.
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            await CallAsync(pick(i), i);
            try
            {
                await Task.Delay(ThinkTime, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CallAsync(CallTarget target, int iteration)
    {
        var (client, url) = target switch
        {
            CallTarget.Weather => (clients.CreateClient(DemoMesh.WeatherHost), "/weather?city=" + Cities[iteration % Cities.Length]),
            CallTarget.Quote => (clients.CreateClient(DemoMesh.QuotesHost), "/quote?symbol=" + Symbols[iteration % Symbols.Length]),
            CallTarget.SlowQuote => (clients.CreateClient(DemoMesh.QuotesHost), string.Create(CultureInfo.InvariantCulture, $"/quote?symbol={Symbols[iteration % Symbols.Length]}&delayMs={SlowQuoteDelay.TotalMilliseconds}")),
            CallTarget.Alerts => (clients.CreateClient(DemoMesh.AlertsHost), "/alerts"),
            _ => (clients.CreateClient(), DemoMesh.BlockedUrl), // any factory client: the mesh sees every call
        };

        try
        {
            var started = TimeProvider.System.GetTimestamp();
            using var response = await client.GetAsync(url);
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            var result = response.GetMeshResult();
            var outcome = new Outcome(target, response.StatusCode, result?.Flags.ToEnvoyString() ?? "(not meshed)");
            stats.Record(outcome);
            if (target is CallTarget.Quote or CallTarget.SlowQuote)
            {
                stats.RecordLatency(outcome, elapsed);
            }

            if (target == CallTarget.Blocked && result is not { Attempts: 0, Endpoint: null })
            {
                stats.RecordUnexpected($"a blocked call was sent upstream: {result}");
            }

            if (target == CallTarget.Weather && response.IsSuccessStatusCode)
            {
                var report = await response.Content.ReadFromJsonAsync<WeatherReport>();
                if (report is null || report.Host != DemoMesh.WeatherHost)
                {
                    stats.RecordUnexpected($"weather answered {report} (expected Host {DemoMesh.WeatherHost})");
                }
            }

            if (target == CallTarget.Quote && response.IsSuccessStatusCode)
            {
                var report = await response.Content.ReadFromJsonAsync<QuoteReport>();
                if (report is null || report.Host != DemoMesh.QuotesHost)
                {
                    stats.RecordUnexpected($"quotes answered {report} (expected Host {DemoMesh.QuotesHost})");
                }
            }

            if (response.StatusCode == HttpStatusCode.GatewayTimeout)
            {
                // The mesh's own answer when the route timeout expired: Envoy's body and flag header.
                var body = await response.Content.ReadAsStringAsync();
                if (body != TimeoutBody || Header(response, "x-mesh-response-flags") != "UT")
                {
                    stats.RecordUnexpected($"{target}: a 504 with body '{body}' and x-mesh-response-flags '{Header(response, "x-mesh-response-flags")}'");
                }
            }

            if (stats.NeedsExample(target))
            {
                stats.AddExample(await DescribeAsync(target, client, url, response, elapsed));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            stats.RecordUnexpected($"{target}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static async Task<ResponseExample> DescribeAsync(CallTarget target, HttpClient client, string url, HttpResponseMessage response, TimeSpan elapsed)
    {
        var body = await response.Content.ReadAsStringAsync();
        return new ResponseExample(
            target,
            client.BaseAddress is { } baseAddress ? new Uri(baseAddress, url).ToString() : url,
            (int)response.StatusCode,
            response.ReasonPhrase,
            Header(response, "x-mesh-response-flags"),
            Header(response, "x-mesh-blocked-host"),
            body.Length > 160 ? body[..160] + "..." : body,
            response.GetMeshResult()?.ToString(),
            elapsed);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
