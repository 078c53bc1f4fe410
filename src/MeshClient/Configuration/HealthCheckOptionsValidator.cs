using System.Globalization;

namespace MeshClient.Configuration;

/// <summary>Validates a service's <see cref="HealthCheckOptions"/> (the <c>HealthCheckPolicy</c> extension kind), every finding with its field path.</summary>
internal static class HealthCheckOptionsValidator
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"];

    public static void Validate(ExternalServiceOptions service, string path, ServiceFindings findings)
    {
        if (service.HealthCheck is not { } check)
        {
            return;
        }

        Duration(check.Interval, path + ".interval", findings);
        Duration(check.Timeout, path + ".timeout", findings);
        if (check.IntervalJitter < TimeSpan.Zero)
        {
            findings.Error(path + ".intervalJitter", $" must not be negative (was '{DurationValidator.Format(check.IntervalJitter)}').");
        }
        else if (check.IntervalJitter.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            findings.Error(path + ".intervalJitter", $" only durations to ms precision are supported (was '{DurationValidator.Format(check.IntervalJitter)}').");
        }

        AtLeastOne(check.UnhealthyThreshold, path + ".unhealthyThreshold", findings);
        AtLeastOne(check.HealthyThreshold, path + ".healthyThreshold", findings);
        if (check.Http is null && check.Tcp is null)
        {
            findings.Error(path, ": Required value: set http (a request whose status is checked) or tcp (a connection).");
        }
        else if (check.Http is not null && check.Tcp is not null)
        {
            findings.Error(path + ".tcp", ": Invalid value: http and tcp are both set; a health check is one or the other.");
        }

        if (check.Http is { } http)
        {
            ValidateHttp(http, path + ".http", findings);
        }

        if (service.Resolution is ServiceResolution.None or ServiceResolution.DynamicDns)
        {
            findings.Warning(path, $" has no effect: resolution {IstioNames.Format(service.Resolution)} has no endpoints known in advance to check.");
        }
    }

    private static void ValidateHttp(HttpHealthCheckOptions http, string path, ServiceFindings findings)
    {
        if (string.IsNullOrEmpty(http.Path) || http.Path[0] != '/' || http.Path.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '#')
            || !Uri.TryCreate("http://h" + http.Path, UriKind.Absolute, out _))
        {
            findings.Error(path + ".path", $": Invalid value: '{DiagnosticText.Cut(http.Path)}': must be an absolute path starting with '/' (a query is allowed; no spaces, no fragment).");
        }

        if (Array.IndexOf(Methods, (http.Method ?? string.Empty).ToUpperInvariant()) < 0)
        {
            findings.Error(path + ".method", $": Unsupported value: '{DiagnosticText.Cut(http.Method)}': supported values: {string.Join(", ", Methods)}.");
        }

        for (var i = 0; i < http.ExpectedStatuses.Count; i++)
        {
            var range = http.ExpectedStatuses[i];
            var at = $"{path}.expectedStatuses[{i}]";
            if (range is null)
            {
                findings.Error(at, ": Required value: a range needs start and end.");
            }
            else if (range.Start is < 100 or > 599)
            {
                findings.Error(at + ".start", string.Create(CultureInfo.InvariantCulture, $" must be between 100 and 599 (was '{range.Start}')."));
            }
            else if (range.End <= range.Start || range.End > 600)
            {
                findings.Error(at + ".end", string.Create(CultureInfo.InvariantCulture, $" must be greater than start ({range.Start}) and at most 600, as the range excludes it (was '{range.End}')."));
            }
        }

        foreach (var (name, _) in http.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                findings.Error($"{path}.headers.{name}", ": Forbidden: checks carry the service host as their Host, like real traffic.");
            }
            else if (string.IsNullOrEmpty(name) || name.Any(static c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal)))
            {
                findings.Error($"{path}.headers.{DiagnosticText.Cut(name)}", ": Invalid value: not a valid header name.");
            }
        }
    }

    private static void Duration(TimeSpan value, string path, ServiceFindings findings)
    {
        if (DurationValidator.Check(value) is { } problem)
        {
            findings.Error(path, " " + problem);
        }
    }

    private static void AtLeastOne(int value, string path, ServiceFindings findings)
    {
        if (value < 1)
        {
            findings.Error(path, string.Create(CultureInfo.InvariantCulture, $" must be at least 1 (was '{value}')."));
        }
    }
}
