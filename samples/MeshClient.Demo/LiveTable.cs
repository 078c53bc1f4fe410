using System.Globalization;
using System.Text;
using MeshClient.Runtime;

namespace MeshClient.Demo;

/// <summary>
/// The per-endpoint table, drawn from the mesh's own state: its counters and each endpoint's ejection
/// (<see cref="MeshStatistics"/>; requests/s from the counters' change since the last draw) and its attempt
/// spans (<see cref="EndpointLatency"/>: p50 and p99). On a terminal it is redrawn in place about once a
/// second; when the output is redirected it is printed as a snapshot every few seconds instead, so a log
/// file stays readable.
/// </summary>
internal sealed class LiveTable(MeshStatistics statistics, TrafficStats traffic, EndpointLatency latency, IReadOnlyDictionary<string, string> instanceNames)
{
    private const int BarWidth = 10;
    private readonly Dictionary<string, (long Requests, TimeSpan At)> _previous = new(StringComparer.Ordinal);
    private int _linesDrawn;

    public static bool InPlace => !Console.IsOutputRedirected;

    /// <summary>How often <see cref="RunAsync"/> draws.</summary>
    public static TimeSpan Interval => InPlace ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);

    public async Task RunAsync(TimeSpan duration, Func<TimeSpan> elapsed, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (!stop.IsCancellationRequested)
                {
                    Draw(elapsed(), duration);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // time is up: the caller draws the final table
        }
    }

    public void Draw(TimeSpan elapsed, TimeSpan duration)
    {
        var text = Render(elapsed, duration);
        if (InPlace && _linesDrawn > 0)
        {
            // Move up over the previous table and overwrite it; \e[K clears what is left of each line.
            Console.Write($"\e[{_linesDrawn}A");
        }

        var lines = text.Split('\n');
        var output = new StringBuilder();
        foreach (var line in lines)
        {
            output.Append(line);
            if (InPlace)
            {
                output.Append("\e[K");
            }

            output.Append('\n');
        }

        if (!InPlace)
        {
            output.Append('\n'); // a blank line between snapshots
        }

        Console.Write(output.ToString());
        _linesDrawn = lines.Length;
    }

    private string Render(TimeSpan elapsed, TimeSpan duration)
    {
        var rows = Ordered(statistics.GetEndpointStatistics());
        var total = traffic.Total;
        var rate = elapsed.TotalSeconds > 0 ? total / elapsed.TotalSeconds : 0;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"t = {elapsed.TotalSeconds,4:0.0} s of {duration.TotalSeconds:0.#} s   {total,8:N0} calls   {rate,6:N0} calls/s\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{"service",-20} {"endpoint",-16} {"instance",-10} {"weight",6} {"requests",9} {"req/s",6} {"success",9} {"failure",9} {"in-flight",9} {"p50 ms",7} {"p99 ms",7} {"health",-20} {"share",7}\n");
        text.Append(new string('-', 20 + 16 + 10 + 6 + (4 * 9) + 6 + (2 * 7) + 20 + 7 + 12 + BarWidth + 1)).Append('\n');

        var now = DateTimeOffset.UtcNow;
        string? previousService = null;
        foreach (var row in rows)
        {
            long serviceRequests = 0;
            foreach (var other in rows)
            {
                serviceRequests += other.Service == row.Service ? other.Requests : 0;
            }

            var share = serviceRequests > 0 ? (double)row.Requests / serviceRequests : 0;
            var service = row.Service == previousService ? string.Empty : row.Service;
            previousService = row.Service;
            var (p50, p99) = latency.Percentiles(row.Endpoint) is { } l ? (Milliseconds(l.P50), Milliseconds(l.P99)) : ("-", "-");
            text.Append(CultureInfo.InvariantCulture, $"{service,-20} {row.Endpoint,-16} {Name(row),-10} {row.Weight,6} {row.Requests,9:N0} {Rate(row, elapsed),6:N0} {row.Successes,9:N0} {row.Failures,9:N0} {row.InFlight,9} {p50,7} {p99,7} {Health(row, now),-20} {share,7:P1} {Bar(share)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{DemoMesh.BlockedHost,-20} {"(none)",-16} {"-",-10} {"-",6} {traffic.Blocked,9:N0} {"-",6} {0,9} {traffic.Blocked,9:N0} {0,9} {"-",7} {"-",7} {"-",-20} 502 NR, refused by REGISTRY_ONLY\n");
        text.Append("(req/s since the last table; p50/p99 of the endpoint's last ").Append(EndpointLatency.Window.ToString(CultureInfo.InvariantCulture)).Append(" attempts, from the mesh's attempt spans; health: outlier detection)\n\n");
        text.Append(QuotesLine());
        return text.ToString();
    }

    /// <summary>The quotes API as the application saw it (answers by status and flags) and how long its 504s took.</summary>
    private string QuotesLine()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (outcome, count) in traffic.Outcomes())
        {
            if (outcome.Target is CallTarget.Quote or CallTarget.SlowQuote)
            {
                var key = outcome.Flags == "-" ? $"{(int)outcome.Status}" : $"{(int)outcome.Status} {outcome.Flags}";
                counts[key] = counts.GetValueOrDefault(key) + count;
            }
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{DemoMesh.QuotesHost}, the app saw:");
        var separator = " ";
        foreach (var (answer, count) in counts)
        {
            text.Append(CultureInfo.InvariantCulture, $"{separator}{answer} x {count:N0}");
            separator = ", ";
        }

        text.Append(CultureInfo.InvariantCulture, $" (route timeout {DemoMesh.QuotesRouteTimeout.TotalMilliseconds:0} ms");
        if (traffic.LatencyOf(Summary.TimedOut) is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $"; 504s after {latency.Median.TotalMilliseconds:0} ms median, {latency.Max.TotalMilliseconds:0} ms max");
        }

        return text.Append(')').ToString();
    }

    /// <summary>The weather API first, then the quotes API, then the rest; endpoints by instance name rather than by port.</summary>
    private List<MeshEndpointStatistics> Ordered(IReadOnlyList<MeshEndpointStatistics> rows)
    {
        var ordered = new List<MeshEndpointStatistics>(rows);
        ordered.Sort((a, b) =>
        {
            var byService = Rank(a.Service).CompareTo(Rank(b.Service));
            return byService != 0 ? byService : string.CompareOrdinal(Name(a), Name(b));
        });
        return ordered;

        static int Rank(string service) => service switch
        {
            DemoMesh.WeatherHost => 0,
            DemoMesh.QuotesHost => 1,
            _ => 2,
        };
    }

    /// <summary>Requests per second since the previous table (since the start for the first one).</summary>
    private double Rate(MeshEndpointStatistics row, TimeSpan elapsed)
    {
        var (requests, at) = _previous.GetValueOrDefault(row.Endpoint);
        _previous[row.Endpoint] = (row.Requests, elapsed);
        var seconds = (elapsed - at).TotalSeconds;
        return seconds > 0 ? (row.Requests - requests) / seconds : 0;
    }

    /// <summary><c>ok</c>, or when outlier detection lets the ejected endpoint back in.</summary>
    private static string Health(MeshEndpointStatistics row, DateTimeOffset now) => row.EjectedUntil is { } until
        ? string.Create(CultureInfo.InvariantCulture, $"ejected until +{Math.Max(0, (until - now).TotalSeconds):0.0}s")
        : "ok";

    private static string Milliseconds(TimeSpan value) => value.TotalMilliseconds.ToString(value.TotalMilliseconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private string Name(MeshEndpointStatistics row) => instanceNames.GetValueOrDefault(row.Endpoint, "?");

    private static string Bar(double share) => new('#', (int)Math.Round(share * BarWidth));
}
