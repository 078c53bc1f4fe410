namespace MeshClient.Configuration;

/// <summary>Validates a service's <see cref="TrafficPolicyOptions"/> (Istio <c>DestinationRule.trafficPolicy</c>), one method per feature.</summary>
internal static class TrafficPolicyOptionsValidator
{
    public static void Validate(TrafficPolicyOptions? policy, string path, ServiceFindings findings)
    {
        LoadBalancerOptionsValidator.Validate(policy?.LoadBalancer, path + ".loadBalancer", findings);
    }
}
