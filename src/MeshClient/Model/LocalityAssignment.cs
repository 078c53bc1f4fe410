using MeshClient.Configuration;

namespace MeshClient.Model;

/// <summary>
/// Istio's locality load balancing (<c>pilot/pkg/networking/core/loadbalancer</c>:
/// <c>ApplyLocalityLoadBalancer</c>) for one cluster and this client: gives each endpoint its
/// <see cref="EndpointDefinition.Priority"/> (failover) or its <see cref="EndpointDefinition.LocalityWeight"/>
/// (distribute), once per snapshot. The runtime's <see cref="LoadBalancing.PriorityPicker"/> then does
/// what Envoy does with them.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>enabled: false</c>: nothing. Absent: Istio's mesh default (enabled), so failover by locality.</item>
/// <item><c>distribute</c>: the first entry whose <c>from</c> matches the client's locality; each <c>to</c>
/// key (in order) claims the localities it matches that no earlier key claimed, and splits its weight
/// between them by their endpoints' weights (rounded up, as Istio). Endpoints no key claims are dropped.
/// Applies without outlier detection.</item>
/// <item>Failover, only with outlier detection (otherwise nothing would ever fail over, so Istio does
/// not prioritise): priority 0 same region/zone/subzone, 1 same region and zone, 2 same region, 3 other
/// regions — 4 for those not in the <c>failover</c> region of the client's region. With
/// <c>failoverPriority</c>, label matches come first (all labels equal: 0; the first <i>j</i> equal: n − j),
/// and locality only orders within them when <c>failover</c> is set too.</item>
/// </list>
/// Priorities are not renumbered without gaps as Istio does: an empty priority gets no traffic in
/// Envoy's load computation either, so the result is the same.
/// </remarks>
internal sealed class LocalityAssignment
{
    private readonly LocalityLoadBalancerOptions? _settings;
    private readonly (string Region, string Zone, string Subzone) _client;
    private readonly Dictionary<string, string> _clientLabels;
    private readonly LocalityDistributeOptions? _distribute;
    private readonly bool _failover;

    private LocalityAssignment(MeshOptions mesh, LocalityLoadBalancerOptions? settings, LocalityDistributeOptions? distribute, bool failover)
    {
        _settings = settings;
        _client = Parse(mesh.Locality);
        _distribute = distribute;
        _failover = failover;
        _clientLabels = new Dictionary<string, string>(mesh.Labels, StringComparer.Ordinal);
        Augment(_clientLabels, _client, null);
    }

    /// <summary>The assignment for a cluster under <paramref name="policy"/>, or <see langword="null"/> when locality changes nothing.</summary>
    public static LocalityAssignment? For(MeshOptions mesh, TrafficPolicyOptions policy)
    {
        var settings = policy.LoadBalancer?.LocalityLbSetting;
        if (settings?.Enabled == false)
        {
            return null;
        }

        if (settings is { Distribute.Count: > 0 })
        {
            var client = Parse(mesh.Locality);
            foreach (var entry in settings.Distribute)
            {
                if (entry.From is { } from && Matches(client, from))
                {
                    return new LocalityAssignment(mesh, settings, entry, failover: false);
                }
            }

            return null; // no entry for this client: Istio leaves the weights as they are
        }

        return policy.OutlierDetection is null ? null : new LocalityAssignment(mesh, settings, null, failover: true);
    }

    /// <summary>Assigns priorities or locality weights to <paramref name="endpoints"/> (each with the options it came from, if any); drops those <c>distribute</c> leaves out.</summary>
    public List<EndpointDefinition> Apply(List<EndpointDefinition> endpoints, List<ServiceEndpointOptions?> sources) =>
        _distribute is not null ? Distribute(endpoints, _distribute) : Prioritise(endpoints, sources);

    private static List<EndpointDefinition> Distribute(List<EndpointDefinition> endpoints, LocalityDistributeOptions distribute)
    {
        var weights = new int[endpoints.Count];
        foreach (var (to, weight) in distribute.To)
        {
            // The localities this key claims, with the sum of their endpoints' weights.
            var claimed = new Dictionary<string, long>(StringComparer.Ordinal);
            long total = 0;
            for (var i = 0; i < endpoints.Count; i++)
            {
                if (weights[i] == 0 && Matches(Parse(endpoints[i].Locality), to))
                {
                    var locality = endpoints[i].Locality ?? string.Empty;
                    claimed[locality] = claimed.GetValueOrDefault(locality) + endpoints[i].Weight;
                    total += endpoints[i].Weight;
                    weights[i] = -1; // claimed; the weight is set below
                }
            }

            for (var i = 0; i < endpoints.Count; i++)
            {
                if (weights[i] == -1)
                {
                    weights[i] = Math.Max(1, (int)Math.Ceiling((double)claimed[endpoints[i].Locality ?? string.Empty] * weight / total));
                }
            }
        }

        var result = new List<EndpointDefinition>(endpoints.Count);
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (weights[i] > 0)
            {
                result.Add(endpoints[i] with { Priority = 0, LocalityWeight = weights[i] });
            }
        }

        return result;
    }

    private List<EndpointDefinition> Prioritise(List<EndpointDefinition> endpoints, List<ServiceEndpointOptions?> sources)
    {
        var failoverPriority = _settings?.FailoverPriority ?? [];
        var failover = _settings?.Failover ?? [];
        var result = new List<EndpointDefinition>(endpoints.Count);
        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            var locality = Parse(endpoint.Locality);
            int priority;
            if (failoverPriority.Count > 0)
            {
                priority = LabelPriority(failoverPriority, EndpointLabels(sources[i], locality));
                if (failover.Count > 0)
                {
                    priority = (priority * 5) + LocalityPriority(locality, failover);
                }
            }
            else
            {
                priority = LocalityPriority(locality, failover);
            }

            result.Add(endpoint with { Priority = priority, LocalityWeight = 0 });
        }

        return result;
    }

    /// <summary>Istio's <c>LbPriority</c> plus the <c>failover</c> rule: other regions are 3, or 4 when not the client region's failover target.</summary>
    private int LocalityPriority((string Region, string Zone, string Subzone) endpoint, IList<LocalityFailoverOptions> failover)
    {
        if (_client.Region == endpoint.Region)
        {
            return _client.Zone != endpoint.Zone ? 2 : _client.Subzone != endpoint.Subzone ? 1 : 0;
        }

        foreach (var entry in failover)
        {
            if (string.Equals(entry.From, _client.Region, StringComparison.Ordinal))
            {
                return string.Equals(entry.To, endpoint.Region, StringComparison.Ordinal) ? 3 : 4;
            }
        }

        return 3;
    }

    /// <summary>Istio's <c>applyFailoverPriorityPerLocality</c>: 0 when every label matches, else n − (index of the first that does not).</summary>
    private int LabelPriority(IList<string> labels, Dictionary<string, string> endpointLabels)
    {
        if (_clientLabels.Count == 0)
        {
            return 0; // Istio skips failoverPriority for a proxy without labels
        }

        for (var j = 0; j < labels.Count; j++)
        {
            var label = labels[j];
            string? wanted;
            var equals = label.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                wanted = label[(equals + 1)..];
                label = label[..equals];
            }
            else
            {
                wanted = _clientLabels.GetValueOrDefault(label);
            }

            if (!string.Equals(wanted ?? string.Empty, endpointLabels.GetValueOrDefault(label) ?? string.Empty, StringComparison.Ordinal))
            {
                return labels.Count - j;
            }
        }

        return 0;
    }

    private static Dictionary<string, string> EndpointLabels(ServiceEndpointOptions? source, (string Region, string Zone, string Subzone) locality)
    {
        var labels = source is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(source.Labels, StringComparer.Ordinal);
        Augment(labels, locality, source?.Network);
        return labels;
    }

    /// <summary>Istio's <c>AugmentLabels</c>: the locality (and network) labels, unless already set.</summary>
    private static void Augment(Dictionary<string, string> labels, (string Region, string Zone, string Subzone) locality, string? network)
    {
        if (locality.Region.Length > 0)
        {
            labels.TryAdd(LocalityLbSettingValidator.RegionLabel, locality.Region);
        }

        if (locality.Zone.Length > 0)
        {
            labels.TryAdd(LocalityLbSettingValidator.ZoneLabel, locality.Zone);
        }

        if (locality.Subzone.Length > 0)
        {
            labels.TryAdd(LocalityLbSettingValidator.SubzoneLabel, locality.Subzone);
        }

        if (!string.IsNullOrEmpty(network))
        {
            labels.TryAdd("topology.istio.io/network", network);
        }
    }

    /// <summary>Istio's <c>LocalityMatch</c>: region equal or <c>*</c>; zone and subzone equal, <c>*</c> or absent in the rule.</summary>
    internal static bool Matches((string Region, string Zone, string Subzone) locality, string rule)
    {
        var (region, zone, subzone) = Parse(rule);
        return (region == "*" || region == locality.Region)
            && (zone is "*" or "" || zone == locality.Zone)
            && (subzone is "*" or "" || subzone == locality.Subzone);
    }

    /// <summary><c>region/zone/subzone</c> → its parts (empty when absent).</summary>
    internal static (string Region, string Zone, string Subzone) Parse(string? locality)
    {
        if (string.IsNullOrEmpty(locality))
        {
            return (string.Empty, string.Empty, string.Empty);
        }

        var parts = locality.Split('/', 3);
        return (parts[0], parts.Length > 1 ? parts[1] : string.Empty, parts.Length > 2 ? parts[2] : string.Empty);
    }
}
