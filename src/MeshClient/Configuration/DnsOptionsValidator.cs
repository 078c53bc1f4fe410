using System.Globalization;
using System.Net;

namespace MeshClient.Configuration;

/// <summary>Validates <see cref="MeshOptions.Dns"/>; each message starts with the field path (<c>dns.nameServers[0]</c>).</summary>
internal static class DnsOptionsValidator
{
    public static void Validate(DnsOptions? dns, List<MeshConfigurationDiagnostic> results)
    {
        if (dns is null)
        {
            return;
        }

        for (var i = 0; i < dns.NameServers.Count; i++)
        {
            var text = dns.NameServers[i];
            if (!TryParseNameServer(text, out _))
            {
                results.Add(MeshConfigurationDiagnostic.Error($"dns.nameServers[{i}] '{DiagnosticText.Cut(text ?? string.Empty)}' is not a name server: write an IP address with an optional port, such as '10.0.0.2', '127.0.0.1:5353' or '[::1]:53'."));
            }
        }

        Duration(dns.RefreshRate, "dns.refreshRate", results);
        Duration(dns.MinRefreshInterval, "dns.minRefreshInterval", results);
        Duration(dns.QueryTimeout, "dns.queryTimeout", results);
        Duration(dns.FirstResolutionTimeout, "dns.firstResolutionTimeout", results);
        if (dns.MaxRefreshInterval is { } max)
        {
            Duration(max, "dns.maxRefreshInterval", results);
            if (max < dns.MinRefreshInterval)
            {
                results.Add(MeshConfigurationDiagnostic.Error($"dns.maxRefreshInterval ({DurationValidator.Format(max)}) must not be less than dns.minRefreshInterval ({DurationValidator.Format(dns.MinRefreshInterval)})."));
            }
        }

        if (dns.MinRefreshInterval > dns.RefreshRate)
        {
            results.Add(MeshConfigurationDiagnostic.Error($"dns.minRefreshInterval ({DurationValidator.Format(dns.MinRefreshInterval)}) must not be more than dns.refreshRate ({DurationValidator.Format(dns.RefreshRate)})."));
        }

        if (dns.Jitter < TimeSpan.Zero)
        {
            results.Add(MeshConfigurationDiagnostic.Error($"dns.jitter must not be negative (was '{DurationValidator.Format(dns.Jitter)}')."));
        }

        if (dns.MaxDynamicHosts < 1)
        {
            results.Add(MeshConfigurationDiagnostic.Error(string.Create(CultureInfo.InvariantCulture, $"dns.maxDynamicHosts must be at least 1 (was '{dns.MaxDynamicHosts}').")));
        }

        if (!Enum.IsDefined(dns.LookupFamily))
        {
            results.Add(MeshConfigurationDiagnostic.Error(string.Create(CultureInfo.InvariantCulture, $"dns.lookupFamily has an unknown value '{(int)dns.LookupFamily}'.")));
        }
    }

    /// <summary>Parses <c>address</c> or <c>address:port</c> (<c>[v6]:port</c>); port 53 by default.</summary>
    public static bool TryParseNameServer(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (IPAddress.TryParse(text, out var address) && !text.StartsWith('['))
        {
            endPoint = new IPEndPoint(address, 53);
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0)
        {
            endPoint = parsed;
            return true;
        }

        return false;
    }

    private static void Duration(TimeSpan value, string field, List<MeshConfigurationDiagnostic> results)
    {
        if (DurationValidator.Check(value) is { } problem)
        {
            results.Add(MeshConfigurationDiagnostic.Error(field + " " + problem));
        }
    }
}
