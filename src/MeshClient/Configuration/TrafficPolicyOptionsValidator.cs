namespace MeshClient.Configuration;

/// <summary>Validates a service's <see cref="TrafficPolicyOptions"/> (Istio <c>DestinationRule.trafficPolicy</c>), one method per feature.</summary>
internal static class TrafficPolicyOptionsValidator
{
    public static void Validate(TrafficPolicyOptions? policy, string path, ServiceFindings findings)
    {
        ValidateLoadBalancer(policy?.LoadBalancer, path + ".loadBalancer", findings);
    }

    private static void ValidateLoadBalancer(LoadBalancerOptions? loadBalancer, string path, ServiceFindings findings)
    {
        var algorithm = loadBalancer?.Simple ?? LoadBalancerAlgorithm.Unspecified;
        if (algorithm is LoadBalancerAlgorithm.LeastRequest or LoadBalancerAlgorithm.Random or LoadBalancerAlgorithm.Passthrough)
        {
            findings.Error(path + ".simple", $" {IstioNames.Format(algorithm)} is not supported yet; use ROUND_ROBIN.");
        }
        else if (algorithm is not (LoadBalancerAlgorithm.Unspecified or LoadBalancerAlgorithm.RoundRobin))
        {
            findings.Error(path + ".simple", $" has an unknown value '{(int)algorithm}'.");
        }
    }
}
