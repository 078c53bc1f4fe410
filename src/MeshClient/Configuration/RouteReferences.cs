using System.Globalization;
using MeshClient.Model;

namespace MeshClient.Configuration;

/// <summary>
/// The services by host, to check route destinations (exact hosts first, then the longest wildcard):
/// a destination naming no service or an undeclared subset is valid (Istio accepts it) but its requests
/// fail, so it is warned about. Also compiled into MeshClient.Istio, which checks VirtualServices with it.
/// </summary>
internal sealed class RouteReferences
{
    private readonly Dictionary<string, ExternalServiceOptions> _byHost = new(StringComparer.OrdinalIgnoreCase);

    public RouteReferences(IEnumerable<ExternalServiceOptions?> services)
    {
        foreach (var service in services)
        {
            if (service is null)
            {
                continue;
            }

            foreach (var host in service.Hosts)
            {
                if (!string.IsNullOrEmpty(host))
                {
                    _byHost.TryAdd(host, service);
                }
            }
        }
    }

    public ExternalServiceOptions? Find(string host)
    {
        if (_byHost.TryGetValue(host, out var service))
        {
            return service;
        }

        ExternalServiceOptions? best = null;
        var length = -1;
        foreach (var (pattern, candidate) in _byHost)
        {
            if (pattern.Length > length && HostPattern.IsWildcard(pattern) && HostPattern.Matches(pattern, host))
            {
                (best, length) = (candidate, pattern.Length);
            }
        }

        return best;
    }

    /// <summary>Warns about <paramref name="route"/>'s destinations that name no service or an undeclared subset.</summary>
    public static void Check(HttpRouteOptions route, string path, RouteReferences index, Action<string, string> warn)
    {
        for (var k = 0; k < route.Route.Count; k++)
        {
            if (route.Route[k]?.Destination is not { Host: { Length: > 0 } host } destination)
            {
                continue;
            }

            var destinationPath = string.Create(CultureInfo.InvariantCulture, $"{path}.route[{k}].destination");
            var target = index.Find(host);
            if (target is null)
            {
                warn(destinationPath + ".host", $" '{DiagnosticText.Cut(host)}' is not a host of any external service: requests this route sends there are blocked (502 NR) under REGISTRY_ONLY and fail with 503 NC (cluster not found) under ALLOW_ANY. Declare the host as an external service.");
            }
            else if (destination.Subset is { } subset && !HasSubset(target, subset))
            {
                warn(destinationPath + ".subset", $" '{DiagnosticText.Cut(subset)}' is not a subset of external service '{DiagnosticText.Cut(target.Name ?? target.Hosts[0])}': requests this route sends there fail with 503 NC (cluster not found).");
            }
        }
    }

    /// <summary>Whether <paramref name="service"/> declares a subset named <paramref name="name"/>.</summary>
    public static bool HasSubset(ExternalServiceOptions service, string name)
    {
        foreach (var subset in service.Subsets)
        {
            if (string.Equals(subset?.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
