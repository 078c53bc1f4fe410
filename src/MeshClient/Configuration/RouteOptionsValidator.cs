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

        if (route?.Retries is { } retries && findings.Service.Http.Count == 0)
        {
            RetryOptionsValidator.Validate(retries, route.Timeout, path + ".retries", RetryOptionsValidator.To(findings));
        }
    }
}
