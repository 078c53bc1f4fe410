namespace MeshClient.Configuration;

/// <summary>
/// Validates <see cref="LocalityLoadBalancerOptions"/> with Istio's rules and messages
/// (<c>ValidateLocalityLbSetting</c> in <c>pkg/config/validation</c>): <c>distribute</c> and
/// <c>failover</c> are exclusive; weights 1-100 adding up to 100; localities with one trailing
/// wildcard, no empty part, no overlap; failover between two different regions, without <c>/</c> or
/// <c>*</c>; failover without outlier detection is a warning (Istio's), which explains that it does nothing.
/// </summary>
internal static class LocalityLbSettingValidator
{
    /// <summary>The client's locality labels Istio derives from the proxy's locality.</summary>
    internal const string RegionLabel = "topology.kubernetes.io/region";
    internal const string ZoneLabel = "topology.kubernetes.io/zone";
    internal const string SubzoneLabel = "topology.istio.io/subzone";

    public static void Validate(LocalityLoadBalancerOptions? lb, OutlierDetectionOptions? outlier, string path, ServiceFindings findings)
    {
        if (lb is null)
        {
            return;
        }

        if (lb.Distribute.Count > 0 && lb.Failover.Count > 0)
        {
            findings.Error(path, " can not simultaneously specify 'distribute' and 'failover'.");
        }

        if (lb.Failover.Count > 0)
        {
            foreach (var label in lb.FailoverPriority)
            {
                if (label is RegionLabel or ZoneLabel or SubzoneLabel)
                {
                    findings.Error(path + ".failoverPriority", $" can not simultaneously set 'failover' and topology label '{label}' in 'failover_priority'.");
                    break;
                }
            }
        }

        var sources = new List<string>(lb.Distribute.Count);
        for (var i = 0; i < lb.Distribute.Count; i++)
        {
            var entry = lb.Distribute[i];
            var entryPath = $"{path}.distribute[{i}]";
            if (string.IsNullOrEmpty(entry?.From))
            {
                findings.Error(entryPath + ".from", " is required.");
            }
            else
            {
                sources.Add(entry.From);
            }

            if (entry is null)
            {
                continue;
            }

            var total = 0L;
            var weightsValid = true;
            foreach (var (locality, weight) in entry.To)
            {
                if (weight is <= 0 or > 100)
                {
                    findings.Error($"{entryPath}.to", $" locality weight must be in range [1, 100] (was {weight} for '{DiagnosticText.Cut(locality)}').");
                    weightsValid = false;
                }

                total += weight;
            }

            if (weightsValid && total != 100)
            {
                findings.Error($"{entryPath}.to", $" total locality weight {total} != 100.");
            }

            if (Localities(entry.To.Keys) is { } problem)
            {
                findings.Error($"{entryPath}.to", " " + problem);
            }
        }

        if (Localities(sources) is { } sourceProblem)
        {
            findings.Error(path + ".distribute", " " + sourceProblem);
        }

        if ((lb.Failover.Count > 0 || lb.FailoverPriority.Count > 0) && outlier is null)
        {
            findings.Warning(path, " outlier detection policy must be provided for failover: without trafficPolicy.outlierDetection nothing marks an endpoint unhealthy, so Istio (and MeshClient) keeps every endpoint at one priority and never fails over.");
        }

        for (var i = 0; i < lb.Failover.Count; i++)
        {
            var failover = lb.Failover[i];
            var entryPath = $"{path}.failover[{i}]";
            var from = failover?.From ?? string.Empty;
            var to = failover?.To ?? string.Empty;
            if (from.Length == 0 || to.Length == 0)
            {
                findings.Error(entryPath, " needs both from and to (regions).");
                continue;
            }

            if (string.Equals(from, to, StringComparison.Ordinal))
            {
                findings.Error(entryPath, " locality lb failover settings must specify different regions.");
            }

            if (from.Contains('/', StringComparison.Ordinal) || to.Contains('/', StringComparison.Ordinal))
            {
                findings.Error(entryPath, " locality lb failover only specify region.");
            }

            if (from.Contains('*', StringComparison.Ordinal) || to.Contains('*', StringComparison.Ordinal))
            {
                findings.Error(entryPath, " locality lb failover region should not contain '*' wildcard.");
            }
        }

        for (var i = 0; i < lb.FailoverPriority.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lb.FailoverPriority[i]))
            {
                findings.Error($"{path}.failoverPriority[{i}]", " must be a label name (or label=value).");
            }
        }
    }

    /// <summary>A problem with the client's <see cref="MeshOptions.Locality"/>, or <see langword="null"/>.</summary>
    internal static string? ClientLocality(string? locality)
    {
        if (locality is null)
        {
            return null;
        }

        if (locality.Contains('*', StringComparison.Ordinal))
        {
            return $"locality '{DiagnosticText.Cut(locality)}' must not contain '*' (it is the client's own region/zone/subzone).";
        }

        return Split(locality, out _, out _, out _) < 0
            ? $"locality '{DiagnosticText.Cut(locality)}' must not contain empty region/zone/subzone info."
            : null;
    }

    /// <summary>Istio's <c>validateLocalities</c>: the first problem of a list of localities, or <see langword="null"/>.</summary>
    private static string? Localities(IEnumerable<string> localities)
    {
        // region → zone → subzones; "*" stands for "the whole level".
        var seen = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var locality in localities)
        {
            var stars = locality.Count(static c => c == '*');
            if (stars > 0 && (stars > 1 || !locality.EndsWith('*')))
            {
                return $"locality {locality} wildcard '*' number can not exceed 1 and must be in the end.";
            }

            var overlap = $"locality {locality} overlap with previous specified ones.";
            if (seen.ContainsKey("*"))
            {
                return overlap;
            }

            var level = Split(locality, out var region, out var zone, out var subzone);
            if (level < 0)
            {
                return $"locality {locality} must not contain empty region/zone/subzone info.";
            }

            if (level == 0)
            {
                if (!seen.TryAdd(region, new(StringComparer.Ordinal) { ["*"] = ["*"] }))
                {
                    return overlap;
                }

                continue;
            }

            if (!seen.TryGetValue(region, out var zones))
            {
                seen[region] = zones = new(StringComparer.Ordinal);
            }
            else if (zones.ContainsKey("*"))
            {
                return overlap;
            }

            if (level == 1)
            {
                if (!zones.TryAdd(zone, ["*"]))
                {
                    return overlap;
                }

                continue;
            }

            if (!zones.TryGetValue(zone, out var subzones))
            {
                zones[zone] = [subzone];
            }
            else if (subzones.Contains("*") || !subzones.Add(subzone))
            {
                return overlap;
            }
        }

        return null;
    }

    /// <summary>Istio's <c>getLocalityParam</c>: 0 region only, 1 region/zone, 2 region/zone/subzone; -1 when a part is empty.</summary>
    internal static int Split(string locality, out string region, out string zone, out string subzone)
    {
        var parts = locality.Split('/', 3);
        region = parts[0];
        zone = parts.Length > 1 ? parts[1] : string.Empty;
        subzone = parts.Length > 2 ? parts[2] : string.Empty;
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                return -1;
            }
        }

        return parts.Length - 1;
    }
}
