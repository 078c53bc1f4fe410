using MeshClient.Configuration;

namespace MeshClient.Model;

/// <summary>
/// The traffic policy of one cluster (a service port, perhaps a subset), as Istio's
/// <c>MergeTrafficPolicy</c> builds it: the service's <c>portLevelSettings</c> entry for the port
/// replaces its port-level components; then each component the subset sets replaces the result's; then
/// the subset's own entry for the port replaces the port-level components again. A port-level entry
/// inherits nothing: a component it leaves out is off for that port (ISTIO-SEMANTICS.md §3.0).
/// </summary>
/// <remarks>
/// MeshClient applies every port-level component Istio has: <c>loadBalancer</c>, <c>connectionPool</c>,
/// <c>outlierDetection</c> and <c>tls</c>. <c>retryBudget</c> and <c>proxyProtocol</c> are not port-level components and stay the policy's.
/// </remarks>
internal static class PortTrafficPolicies
{
    public static TrafficPolicyOptions For(TrafficPolicyOptions service, TrafficPolicyOptions? subset, int port)
    {
        var policy = AtPort(service, port);
        return subset is null ? policy : AtPort(MeshSnapshot.Merge(policy, subset), port);
    }

    /// <summary><paramref name="policy"/> with its first entry for <paramref name="port"/> applied, or itself when it has none.</summary>
    private static TrafficPolicyOptions AtPort(TrafficPolicyOptions policy, int port)
    {
        foreach (var level in policy.PortLevelSettings)
        {
            if (level is not null && level.Port == port)
            {
                return new TrafficPolicyOptions
                {
                    LoadBalancer = level.LoadBalancer ?? new LoadBalancerOptions(),
                    ConnectionPool = level.ConnectionPool,
                    RetryBudget = policy.RetryBudget,
                    ProxyProtocol = policy.ProxyProtocol,
                    Tls = level.Tls,
                    OutlierDetection = level.OutlierDetection,
                };
            }
        }

        return policy;
    }
}
