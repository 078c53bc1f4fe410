using MeshClient.Configuration;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>"Tcp": { }</c> selects the TCP health check, but an empty JSON object binds to nothing (it is a
/// key without a value or children): after binding, a <c>HealthCheck:Tcp</c> key that is present
/// gets its (empty) options.
/// </summary>
internal static class HealthCheckBinding
{
    /// <summary>For one service bound from <paramref name="service"/>.</summary>
    public static void Apply(IConfiguration service, ExternalServiceOptions target)
    {
        var section = service.GetSection(nameof(ExternalServiceOptions.HealthCheck));
        if (!HasChild(section, nameof(HealthCheckOptions.Tcp)))
        {
            return;
        }

        target.HealthCheck ??= new HealthCheckOptions();
        target.HealthCheck.Tcp ??= new TcpHealthCheckOptions();
    }

    /// <summary>For the services bound from <c>ExternalServices</c> of <paramref name="mesh"/>, the first at <paramref name="first"/> in <paramref name="target"/>.</summary>
    public static void Apply(IConfiguration mesh, MeshOptions target, int first)
    {
        var services = mesh.GetSection(nameof(MeshOptions.ExternalServices));
        for (var i = first; i < target.ExternalServices.Count; i++)
        {
            Apply(services.GetSection((i - first).ToString(System.Globalization.CultureInfo.InvariantCulture)), target.ExternalServices[i]);
        }
    }

    private static bool HasChild(IConfigurationSection section, string key)
    {
        foreach (var child in section.GetChildren())
        {
            if (string.Equals(child.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
