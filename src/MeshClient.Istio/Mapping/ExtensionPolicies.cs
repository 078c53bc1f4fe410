using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>A mapped MeshClient extension policy (<c>meshclient.io/v1alpha1</c>) that applies to the ServiceEntries declaring its <c>spec.host</c>.</summary>
internal interface IExtensionPolicy
{
    IstioResource Resource { get; }

    string Host { get; }

    /// <summary>The <c>spec.host</c> value, where warnings point.</summary>
    YamlNode HostNode { get; }

    ObjectReader Reader { get; }
}

/// <summary>Binds extension policies to services by host, as DestinationRules are: the first policy for a service wins.</summary>
internal static class ExtensionPolicies
{
    /// <summary>
    /// Gives each policy to the services that declare its host (<paramref name="assign"/>); a policy whose host no
    /// ServiceEntry declares, and a later policy for a service already taken, are warned about.
    /// </summary>
    /// <param name="policies">The valid policies, in load order.</param>
    /// <param name="services">The ServiceEntries' services.</param>
    /// <param name="noEffect">The end of the no-match warning: "so the {noEffect}".</param>
    /// <param name="takesFrom">What the service already takes, and from which kind: "already takes its {takesFrom} X".</param>
    /// <param name="assign">Sets the policy on a service.</param>
    public static void Apply<TPolicy>(IReadOnlyList<TPolicy> policies, IEnumerable<ExternalServiceOptions> services, string noEffect, string takesFrom, Action<ExternalServiceOptions, TPolicy> assign)
        where TPolicy : IExtensionPolicy
    {
        if (policies.Count == 0)
        {
            return;
        }

        var byHost = new Dictionary<string, List<ExternalServiceOptions>>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in services)
        {
            foreach (var host in service.Hosts)
            {
                if (!byHost.TryGetValue(host, out var list))
                {
                    byHost[host] = list = [];
                }

                if (list.Count == 0 || !ReferenceEquals(list[^1], service))
                {
                    list.Add(service);
                }
            }
        }

        var claimed = new Dictionary<ExternalServiceOptions, IstioResource>(ReferenceEqualityComparer.Instance);
        foreach (var policy in policies)
        {
            if (!byHost.TryGetValue(policy.Host, out var matched))
            {
                policy.Reader.Warning(policy.HostNode, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}' matches no ServiceEntry host, so the {noEffect}");
                continue;
            }

            foreach (var service in matched)
            {
                if (claimed.TryGetValue(service, out var first))
                {
                    policy.Reader.Warning(policy.HostNode, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}': ServiceEntry {DiagnosticText.Cut(service.Name)} already takes its {takesFrom} {DiagnosticText.Cut(first.DisplayName)} ({first.Location}); the first one wins.");
                    continue;
                }

                claimed[service] = policy.Resource;
                assign(service, policy);
            }
        }
    }
}
