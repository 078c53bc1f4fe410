// MeshClient demo: Istio-sidecar behaviour for HttpClient, in process, against embedded
// "external" services on 127.0.0.1. Nothing leaves the machine. See docs/demo.md.
using System.Diagnostics;
using MeshClient.Demo;
using MeshClient.Runtime;
using Microsoft.Extensions.DependencyInjection;

var options = DemoOptions.Parse(args, out var error);
if (options is null)
{
    var help = error == DemoOptions.Usage;
    (help ? Console.Out : Console.Error).WriteLine(error);
    return help ? 0 : 2;
}

Console.WriteLine("MeshClient demo: an in-process sidecar for HttpClient (loopback only)");
Console.WriteLine();

// The "external" world: three instances of a weather API, two of a quotes API that is sometimes
// slow, and a port where nothing listens.
EmbeddedService[] weather =
[
    await EmbeddedService.StartAsync("weather-a", DemoMesh.WeatherHost, weight: 2),
    await EmbeddedService.StartAsync("weather-b", DemoMesh.WeatherHost, weight: 1),
    await EmbeddedService.StartAsync("weather-c", DemoMesh.WeatherHost, weight: 1),
];
QuotesService[] quotes =
[
    await QuotesService.StartAsync("quotes-a", DemoMesh.QuotesHost, weight: 1),
    await QuotesService.StartAsync("quotes-b", DemoMesh.QuotesHost, weight: 1),
];
var deadPort = EmbeddedService.ReserveDeadPort();
try
{
    var instanceNames = new Dictionary<string, string>(StringComparer.Ordinal) { [$"127.0.0.1:{deadPort}"] = "(dead)" };
    Console.WriteLine("Declared external services (ServiceEntry, resolution STATIC) and their endpoints:");
    foreach (var instance in weather)
    {
        instanceNames[$"127.0.0.1:{instance.Port}"] = instance.Name;
        Console.WriteLine($"  {DemoMesh.WeatherHost}:80  -> 127.0.0.1:{instance.Port,-5}  weight {instance.Weight}  ({instance.Name}, Kestrel)");
    }

    foreach (var instance in quotes)
    {
        instanceNames[$"127.0.0.1:{instance.Port}"] = instance.Name;
        Console.WriteLine($"  {DemoMesh.QuotesHost}:80   -> 127.0.0.1:{instance.Port,-5}  weight {instance.Weight}  ({instance.Name}, Kestrel; route timeout {DemoMesh.QuotesRouteTimeout.TotalMilliseconds:0} ms)");
    }

    Console.WriteLine($"  {DemoMesh.AlertsHost}:80   -> 127.0.0.1:{deadPort,-5}  weight 1  (nothing listens there)");
    Console.WriteLine($"  outbound traffic policy REGISTRY_ONLY: {DemoMesh.BlockedHost} is not declared");
    Console.WriteLine();

    using var prometheus = options.Prometheus ? PrometheusEndpoint.Start() : null;
    if (prometheus is not null)
    {
        Console.WriteLine($"Prometheus metrics (OpenTelemetry exporter): {prometheus.Url}");
        Console.WriteLine();
    }

    using var latency = new EndpointLatency(); // the mesh's attempt spans, for the table's p50 / p99
    await using var provider = DemoMesh.Build(weather, quotes, deadPort);
    var statistics = provider.GetRequiredService<MeshStatistics>();
    var traffic = new TrafficStats();
    var driver = new TrafficDriver(provider.GetRequiredService<IHttpClientFactory>(), traffic);

    await driver.WarmUpAsync();
    PrintFirstAnswers(traffic);
    await FallbackDemo.RunAsync();

    using var stop = new CancellationTokenSource(options.Duration);
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true; // finish the calls in flight and print the summary
        stop.Cancel();
    };

    Console.WriteLine($"Driving traffic for {options.Duration.TotalSeconds:0.#} s: {options.Workers} workers, and {TrafficDriver.QuoteCallers} callers of {DemoMesh.QuotesHost} whose every {TrafficDriver.SlowQuoteEvery}th call is slow"
        + (LiveTable.InPlace ? " (Ctrl+C stops early):" : $" (output redirected: a snapshot every {LiveTable.Interval.TotalSeconds:0} s):"));
    Console.WriteLine();
    var clock = Stopwatch.StartNew();
    var table = new LiveTable(statistics, traffic, latency, instanceNames);
    var drawing = table.RunAsync(options.Duration, () => clock.Elapsed, stop.Token);
    await driver.RunAsync(options.Workers, stop.Token);
    await drawing;
    clock.Stop();
    table.Draw(clock.Elapsed, options.Duration);

    // The last 504s reached the application before their instance noticed the abort: let it catch up.
    await QuotesService.SettleAsync(quotes, limit: TrafficDriver.SlowQuoteDelay * 2);
    var passed = Summary.Print(clock.Elapsed, options.Workers, traffic, statistics, weather, quotes);
    if (prometheus is not null)
    {
        await prometheus.PrintScrapeAsync();
    }

    return passed ? 0 : 1;
}
finally
{
    foreach (var instance in weather)
    {
        await instance.DisposeAsync();
    }

    foreach (var instance in quotes)
    {
        await instance.DisposeAsync();
    }
}

static void PrintFirstAnswers(TrafficStats traffic)
{
    Console.WriteLine("First call to each host, as the application sees it:");
    foreach (var target in (CallTarget[])[CallTarget.Weather, CallTarget.Quote, CallTarget.SlowQuote, CallTarget.Alerts, CallTarget.Blocked])
    {
        if (traffic.Example(target) is not { } example)
        {
            continue;
        }

        Console.WriteLine($"  GET {example.Url}");
        Console.WriteLine($"    -> {example.Status} {example.Reason}"
            + (example.FlagsHeader is null ? string.Empty : $"   x-mesh-response-flags: {example.FlagsHeader}")
            + (example.BlockedHostHeader is null ? string.Empty : $"   x-mesh-blocked-host: {example.BlockedHostHeader}")
            + (example.Target is CallTarget.Quote or CallTarget.SlowQuote ? $"   after {example.Elapsed.TotalMilliseconds:0} ms" : string.Empty));
        Console.WriteLine($"    body: {example.Body}");
        Console.WriteLine($"    response.GetMeshResult(): {example.MeshResult}");
    }

    Console.WriteLine();
}
