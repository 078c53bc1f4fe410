using System.Globalization;
using System.Net;
using MeshClient.Runtime;

namespace MeshClient.Demo;

/// <summary>The end of the run: totals, the weighted distribution against the configured weights, the flags seen, and the checks that set the exit code.</summary>
internal static class Summary
{
    /// <summary>How far (in percentage points) an endpoint's share may drift from its weight's share.</summary>
    private const double ShareTolerance = 0.02;

    /// <summary>Prints the summary; returns <see langword="true"/> when every check passed.</summary>
    public static bool Print(TimeSpan elapsed, int workers, TrafficStats traffic, MeshStatistics statistics, IReadOnlyList<EmbeddedService> weather)
    {
        var checks = new List<(bool Ok, string What)>();
        var total = traffic.Total;
        Console.WriteLine();
        Console.WriteLine("== Summary ==");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s, {workers} workers, {total:N0} calls ({total / Math.Max(elapsed.TotalSeconds, 0.001):N0} calls/s)."));

        Console.WriteLine();
        Console.WriteLine("Outcomes as the application saw them (status, and Envoy flags from response.GetMeshResult()):");
        long weatherCalls = 0, weatherOk = 0, alertsCalls = 0, alertsUf = 0, blockedCalls = 0, blockedNr = 0;
        foreach (var (outcome, count) in traffic.Outcomes())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {HostOf(outcome.Target),-20} {(int)outcome.Status} {outcome.Status,-20} flags {outcome.Flags,-6} {count,9:N0}"));
            switch (outcome.Target)
            {
                case CallTarget.Weather:
                    weatherCalls += count;
                    weatherOk += outcome.Status == HttpStatusCode.OK && outcome.Flags == "-" ? count : 0;
                    break;
                case CallTarget.Alerts:
                    alertsCalls += count;
                    alertsUf += outcome.Status == HttpStatusCode.ServiceUnavailable && outcome.Flags == "UF" ? count : 0;
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

        Console.WriteLine("   (- = a normal upstream answer, UF = upstream connection failure, NR = no route)");

        checks.Add((traffic.UnexpectedCount == 0, $"no unexpected errors ({traffic.UnexpectedCount} seen)"));
        foreach (var sample in traffic.UnexpectedSamples())
        {
            Console.WriteLine("  unexpected: " + sample);
        }

        checks.Add((weatherCalls > 0 && weatherOk == weatherCalls, $"{DemoMesh.WeatherHost}: every call answered 200 by an instance ({weatherOk:N0} of {weatherCalls:N0})"));
        checks.Add((alertsCalls > 0 && alertsUf == alertsCalls, $"{DemoMesh.AlertsHost}: every call answered 503 UF by the mesh ({alertsUf:N0} of {alertsCalls:N0})"));
        checks.Add((blockedCalls > 0 && blockedNr == blockedCalls, $"{DemoMesh.BlockedHost}: every call refused 502 NR by REGISTRY_ONLY, no attempt sent ({blockedNr:N0} of {blockedCalls:N0})"));
        var blocked = traffic.Example(CallTarget.Blocked);
        checks.Add((blocked?.BlockedHostHeader == DemoMesh.BlockedHost, $"the 502 names the blocked host in x-mesh-blocked-host ('{blocked?.BlockedHostHeader}')"));

        PrintDistribution(statistics, weather, checks);

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

    private static string HostOf(CallTarget target) => target switch
    {
        CallTarget.Weather => DemoMesh.WeatherHost,
        CallTarget.Alerts => DemoMesh.AlertsHost,
        _ => DemoMesh.BlockedHost,
    };
}
