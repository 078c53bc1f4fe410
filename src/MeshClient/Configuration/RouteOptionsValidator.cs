namespace MeshClient.Configuration;

/// <summary>Validates a service's <see cref="RouteOptions"/> (Istio <c>VirtualService.http[]</c>).</summary>
internal static class RouteOptionsValidator
{
    public static void Validate(RouteOptions? route, string path, ServiceFindings findings)
    {
        if (route?.Timeout is { } timeout && DurationValidator.Check(timeout) is { } problem)
        {
            findings.Error(path + ".timeout", " " + problem);
        }
    }
}
