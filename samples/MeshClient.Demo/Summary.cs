using System.Globalization;
using System.Net;
using MeshClient.Runtime;

namespace MeshClient.Demo;

/// <summary>The end of the run: totals, the weighted distribution against the configured weights, the flags seen, and the checks that set the exit code.</summary>
internal static class Summary
{
    /// <summary>How far (in percentage points) an endpoint's share may drift from its weight's share.</summary>
    private const double ShareTolerance = 0.02;

    /// <summary>How much later than the route timeout a 504 may reach the application.</summary>
    private static readonly TimeSpan TimeoutMargin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How much earlier than the route timeout a 504 may reach the application, as timed with the
    /// high-resolution clock: .NET timers run on a coarse millisecond clock (CLOCK_MONOTONIC_COARSE
    /// on Linux, 1 to 10 ms; the 15.6 ms interrupt tick on Windows) and can fire up to one tick early.
    /// </summary>
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(16);

    /// <summary>What a slow quote should end as: the mesh's 504 with the UT flag.</summary>
    public static Outcome TimedOut { get; } = new(CallTarget.SlowQuote, HttpStatusCode.GatewayTimeout, "UT");

    /// <summary>What a fast quote should end as: the instance's 200, no flag.</summary>
    public static Outcome Answered { get; } = new(CallTarget.Quote, HttpStatusCode.OK, "-");

    /// <summary>Prints the summary; returns <see langword="true"/> when every check passed.</summary>
    public static bool Print(TimeSpan elapsed, int workers, TrafficStats traffic, MeshStatistics statistics, IReadOnlyList<EmbeddedService> weather, IReadOnlyList<QuotesService> quotes)
    {
        var checks = new List<(bool Ok, string What)>();
        var total = traffic.Total;
        Console.WriteLine();
        Console.WriteLine("== Summary ==");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s, {workers} workers and {TrafficDriver.QuoteCallers} quotes callers, {total:N0} calls ({total / Math.Max(elapsed.TotalSeconds, 0.001):N0} calls/s)."));

        Console.WriteLine();
        Console.WriteLine("Outcomes as the application saw them (status, and Envoy flags from response.GetMeshResult()):");
        long weatherCalls = 0, weatherOk = 0, alertsCalls = 0, alertsUf = 0, blockedCalls = 0, blockedNr = 0;
        foreach (var (outcome, count) in traffic.Outcomes())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Label(outcome.Target),-25} {(int)outcome.Status} {outcome.Status,-20} flags {outcome.Flags,-6} {count,9:N0}"));
            switch (outcome.Target)
            {
                case CallTarget.Weather:
                    weatherCalls += count;
                    weatherOk += outcome.Status == HttpStatusCode.OK && outcome.Flags == "-" ? count : 0;
                    break;
                case CallTarget.Quote or CallTarget.SlowQuote:
                    break; // counted with the route timeout, below
                case CallTarget.Alerts:
                    alertsCalls += count;
                    alertsUf += outcome.Status == HttpStatusCode.ServiceUnavailable && outcome.Flags == "UF,URX" ? count : 0;
                    break;
                default:
                    blockedCalls += count;
                    blockedNr += outcome.Status == HttpStatusCode.BadGateway && outcome.Flags == "NR" ? count : 0;
                    break;
            }
        }

        Console.WriteLine();
        Console.Write("Flags seen:");
        foreach (var (flags, count) in traffic.FlagCounts())
        {
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"  {flags} x {count:N0}"));
        }

        Console.WriteLine("   (- = a normal upstream answer, UT = upstream request timeout, UF = upstream connection failure, URX = retries ran out, NR = no route)");

        checks.Add((traffic.UnexpectedCount == 0, $"no unexpected errors ({traffic.UnexpectedCount} seen)"));
        foreach (var sample in traffic.UnexpectedSamples())
        {
            Console.WriteLine("  unexpected: " + sample);
        }

        checks.Add((weatherCalls > 0 && weatherOk == weatherCalls, $"{DemoMesh.WeatherHost}: every call answered 200 by an instance ({weatherOk:N0} of {weatherCalls:N0})"));
        checks.Add((alertsCalls > 0 && alertsUf == alertsCalls, $"{DemoMesh.AlertsHost}: every call answered 503 UF,URX by the mesh after Istio's default 2 retries ({alertsUf:N0} of {alertsCalls:N0})"));
        checks.Add((blockedCalls > 0 && blockedNr == blockedCalls, $"{DemoMesh.BlockedHost}: every call refused 502 NR by REGISTRY_ONLY, no attempt sent ({blockedNr:N0} of {blockedCalls:N0})"));
        var blocked = traffic.Example(CallTarget.Blocked);
        checks.Add((blocked?.BlockedHostHeader == DemoMesh.BlockedHost, $"the 502 names the blocked host in x-mesh-blocked-host ('{blocked?.BlockedHostHeader}')"));

        PrintDistribution(statistics, weather, checks);
        PrintRouteTimeout(traffic, statistics, quotes, checks);

        Console.WriteLine();
        Console.WriteLine("Checks:");
        var allOk = true;
        foreach (var (ok, what) in checks)
        {
            Console.WriteLine($"  [{(ok ? "ok" : "FAILED")}] {what}");
            allOk &= ok;
        }

        Console.WriteLine();
        Console.WriteLine(allOk ? "All checks passed." : "Some checks FAILED: exit code 1.");
        return allOk;
    }

    private static void PrintDistribution(MeshStatistics statistics, IReadOnlyList<EmbeddedService> weather, List<(bool, string)> checks)
    {
        var rows = new List<MeshEndpointStatistics>();
        foreach (var row in statistics.GetEndpointStatistics())
        {
            if (row.Service == DemoMesh.WeatherHost)
            {
                rows.Add(row);
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(FindInstance(weather, a.Endpoint)?.Name, FindInstance(weather, b.Endpoint)?.Name));

        long requests = 0, weights = 0;
        foreach (var row in rows)
        {
            requests += row.Requests;
            weights += row.Weight;
        }

        Console.WriteLine();
        Console.WriteLine($"Weighted round robin on {DemoMesh.WeatherHost} (mesh counters vs configured weights, and what each instance itself served):");
        Console.WriteLine($"  {"endpoint",-16} {"instance",-10} {"weight",6} {"expected",9} {"actual",9} {"requests",9} {"served",9} {"wrong Host",10}");
        foreach (var row in rows)
        {
            var instance = FindInstance(weather, row.Endpoint);
            var expected = weights > 0 ? (double)row.Weight / weights : 0;
            var actual = requests > 0 ? (double)row.Requests / requests : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Endpoint,-16} {instance?.Name ?? "?",-10} {row.Weight,6} {expected,9:P1} {actual,9:P1} {row.Requests,9:N0} {instance?.Served ?? 0,9:N0} {instance?.WrongHost ?? 0,10:N0}"));
            checks.Add((Math.Abs(actual - expected) <= ShareTolerance, string.Create(CultureInfo.InvariantCulture, $"{row.Endpoint} ({instance?.Name}) got {actual:P1} of the calls for weight {row.Weight} of {weights} ({expected:P1}, tolerance {ShareTolerance:P0})")));
            checks.Add((instance is not null && instance.Served == row.Successes && row.Failures == 0, $"{instance?.Name}: the mesh counted {row.Successes:N0} successes, the instance served {instance?.Served:N0}"));
            checks.Add((instance is not null && instance.WrongHost == 0, $"{instance?.Name}: every request arrived with Host: {DemoMesh.WeatherHost} (connected to the endpoint, URI and Host keep the service name)"));
        }
    }

    private static void PrintRouteTimeout(TrafficStats traffic, MeshStatistics statistics, IReadOnlyList<QuotesService> quotes, List<(bool, string)> checks)
    {
        // What the application saw, by kind of call: answered 200 by an instance, ended 504 UT by the mesh, anything else.
        long fastCalls = 0, fastOk = 0, fastUt = 0, slowCalls = 0, slowOk = 0, slowUt = 0;
        foreach (var (outcome, count) in traffic.Outcomes())
        {
            var ok = outcome.Status == HttpStatusCode.OK && outcome.Flags == "-" ? count : 0;
            var ut = outcome.Status == HttpStatusCode.GatewayTimeout && outcome.Flags == "UT" ? count : 0;
            if (outcome.Target == CallTarget.Quote)
            {
                (fastCalls, fastOk, fastUt) = (fastCalls + count, fastOk + ok, fastUt + ut);
            }
            else if (outcome.Target == CallTarget.SlowQuote)
            {
                (slowCalls, slowOk, slowUt) = (slowCalls + count, slowOk + ok, slowUt + ut);
            }
        }

        var timeout = DemoMesh.QuotesRouteTimeout;
        var fast = traffic.LatencyOf(Answered);
        var slow = traffic.LatencyOf(TimedOut);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Route timeout on {DemoMesh.QuotesHost} ({timeout.TotalMilliseconds:0} ms; a slow call asks the instance to wait {TrafficDriver.SlowQuoteDelay.TotalMilliseconds:N0} ms), as the application saw it:"));
        Console.WriteLine($"  {"calls",-6} {"count",8} {"200",8} {"504 UT",8} {"other",8}   time until GetAsync returned");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"fast",-6} {fastCalls,8:N0} {fastOk,8:N0} {fastUt,8:N0} {fastCalls - fastOk - fastUt,8:N0}   {Describe("200", fast)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"slow",-6} {slowCalls,8:N0} {slowOk,8:N0} {slowUt,8:N0} {slowCalls - slowOk - slowUt,8:N0}   {Describe("504", slow)}"));

        Console.WriteLine();
        Console.WriteLine("As the mesh counted them (MeshStatistics) and as each instance saw them:");
        Console.WriteLine($"  {"endpoint",-16} {"instance",-10} {"requests",9} {"success",9} {"failure",9}   {"answered",9} {"aborted",9} {"late",6} {"wrong Host",10}");
        var rows = new List<(MeshEndpointStatistics Row, QuotesService? Instance)>();
        foreach (var row in statistics.GetEndpointStatistics())
        {
            if (row.Service == DemoMesh.QuotesHost)
            {
                rows.Add((row, quotes.FirstOrDefault(q => row.Endpoint == $"127.0.0.1:{q.Port}")));
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Instance?.Name, b.Instance?.Name));
        long slowStarted = 0, aborted = 0;
        foreach (var (row, instance) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Endpoint,-16} {instance?.Name ?? "?",-10} {row.Requests,9:N0} {row.Successes,9:N0} {row.Failures,9:N0}   {instance?.Served ?? 0,9:N0} {instance?.SlowAborted ?? 0,9:N0} {instance?.SlowAnswered ?? 0,6:N0} {instance?.WrongHost ?? 0,10:N0}"));
            slowStarted += instance?.SlowStarted ?? 0;
            aborted += instance?.SlowAborted ?? 0;
        }

        Console.WriteLine("  (answered: fast requests answered 200; aborted: slow requests whose RequestAborted fired while the instance waited; late: slow requests answered after the whole wait)");

        checks.Add((slowCalls > 0 && slowUt == slowCalls, string.Create(CultureInfo.InvariantCulture, $"{DemoMesh.QuotesHost}: every slow call ended by the mesh as 504 UT after the {timeout.TotalMilliseconds:0} ms route timeout ({slowUt:N0} of {slowCalls:N0})")));
        checks.Add((fastCalls > 0 && fastOk == fastCalls, string.Create(CultureInfo.InvariantCulture, $"{DemoMesh.QuotesHost}: every fast call answered 200 by an instance ({fastOk:N0} of {fastCalls:N0})")));
        var limit = timeout + TimeoutMargin;
        checks.Add((slow is { } s && s.Min >= timeout - TimerGranularity && s.Max < limit, string.Create(CultureInfo.InvariantCulture, $"every 504 UT reached the application {timeout.TotalMilliseconds:0} ms (less {TimerGranularity.TotalMilliseconds:0} ms of timer granularity) to {limit.TotalMilliseconds:N0} ms after the call started ({Describe("504", slow)})")));
        checks.Add((aborted > 0 && slowStarted == slowCalls && aborted == slowUt, string.Create(CultureInfo.InvariantCulture, $"the instances saw {slowStarted:N0} slow requests and {aborted:N0} of them aborted by the mesh (RequestAborted); the application made {slowCalls:N0} slow calls and got {slowUt:N0} 504 UT")));
        foreach (var (row, instance) in rows)
        {
            checks.Add((
                instance is not null && instance.Served == row.Successes && instance.SlowAborted == row.Failures && instance.SlowAnswered == 0 && instance.WrongHost == 0,
                string.Create(CultureInfo.InvariantCulture, $"{instance?.Name}: the mesh counted {row.Successes:N0} successes and {row.Failures:N0} failures; the instance answered {instance?.Served:N0}, saw {instance?.SlowAborted:N0} aborted, answered {instance?.SlowAnswered:N0} late, {instance?.WrongHost:N0} with another Host")));
        }
    }

    private static string Describe(string what, Latency? latency) => latency is { } l
        ? string.Create(CultureInfo.InvariantCulture, $"{what}s: min {l.Min.TotalMilliseconds:0.0} ms, median {l.Median.TotalMilliseconds:0.0} ms, max {l.Max.TotalMilliseconds:0.0} ms")
        : $"no {what}s";

    private static EmbeddedService? FindInstance(IReadOnlyList<EmbeddedService> weather, string endpoint)
    {
        foreach (var instance in weather)
        {
            if (endpoint == $"127.0.0.1:{instance.Port}")
            {
                return instance;
            }
        }

        return null;
    }

    private static string Label(CallTarget target) => target switch
    {
        CallTarget.Weather => DemoMesh.WeatherHost,
        CallTarget.Quote => DemoMesh.QuotesHost + " (fast)",
        CallTarget.SlowQuote => DemoMesh.QuotesHost + " (slow)",
        CallTarget.Alerts => DemoMesh.AlertsHost,
        _ => DemoMesh.BlockedHost,
    };
}
