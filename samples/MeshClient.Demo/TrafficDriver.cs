using System.Net.Http.Json;

namespace MeshClient.Demo;

/// <summary>
/// A few concurrent workers calling the declared services through <see cref="IHttpClientFactory"/>
/// clients, as application code would: mostly the weather API, one call in ten the alerts API
/// (whose only endpoint is down) and one in twenty an undeclared host that REGISTRY_ONLY blocks.
/// </summary>
internal sealed class TrafficDriver(IHttpClientFactory clients, TrafficStats stats)
{
    private static readonly string[] Cities = ["Zurich", "Lisbon", "Oslo", "Nairobi", "Lima"];

    /// <summary>Pause between two calls of one worker, so the demo shows a steady few hundred requests a second.</summary>
    private static readonly TimeSpan ThinkTime = TimeSpan.FromMilliseconds(5);

    public Task RunAsync(int workers, CancellationToken stop)
    {
        var tasks = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            tasks[i] = Task.Run(() => WorkAsync(stop), CancellationToken.None);
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>One call to each host, before the load, to show the three kinds of answer.</summary>
    public async Task WarmUpAsync()
    {
        await CallAsync(CallTarget.Weather, 0);
        await CallAsync(CallTarget.Alerts, 0);
        await CallAsync(CallTarget.Blocked, 0);
    }

    private async Task WorkAsync(CancellationToken stop)
    {
        // Calls in flight finish even when the time is up: stopping only ends the loop.
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var target = i % 20 == 19 ? CallTarget.Blocked
                : i % 10 == 4 ? CallTarget.Alerts
                : CallTarget.Weather;
            await CallAsync(target, i);
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
            CallTarget.Alerts => (clients.CreateClient(DemoMesh.AlertsHost), "/alerts"),
            _ => (clients.CreateClient(), DemoMesh.BlockedUrl), // any factory client: the mesh sees every call
        };

        try
        {
            using var response = await client.GetAsync(url);
            var result = response.GetMeshResult();
            stats.Record(new Outcome(target, response.StatusCode, result?.Flags.ToEnvoyString() ?? "(not meshed)"));
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

            if (stats.NeedsExample(target))
            {
                stats.AddExample(await DescribeAsync(target, client, url, response));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            stats.RecordUnexpected($"{target}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static async Task<ResponseExample> DescribeAsync(CallTarget target, HttpClient client, string url, HttpResponseMessage response)
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
            response.GetMeshResult()?.ToString());
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
