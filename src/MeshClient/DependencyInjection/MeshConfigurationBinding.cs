using MeshClient.Configuration;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Binds options from <see cref="IConfiguration"/>, turning binder failures into diagnostics instead of exceptions.</summary>
internal static class MeshConfigurationBinding
{
    public static bool TryBind(IConfiguration configuration, ExternalServiceOptions target, string what, IList<MeshConfigurationDiagnostic> diagnostics)
    {
        try
        {
            configuration.Bind(target, static b => b.ErrorOnUnknownConfiguration = true);
            return true;
        }
        catch (InvalidOperationException ex)
        {
            diagnostics.Add(MeshConfigurationDiagnostic.Error($"{what}: {ex.Message}"));
            return false;
        }
    }

    public static void TryBind(IConfiguration configuration, MeshOptions target, string what)
    {
        try
        {
            configuration.Bind(target, static b => b.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            target.SourceDiagnostics.Add(MeshConfigurationDiagnostic.Error($"{what}: {ex.Message}"));
        }
    }
}
