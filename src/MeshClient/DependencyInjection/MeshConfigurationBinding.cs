using MeshClient.Configuration;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Binds options from <see cref="IConfiguration"/>, turning binder failures into diagnostics instead of exceptions.</summary>
/// <remarks>
/// Enum values may use the C# names or Istio's spellings (<see cref="MeshConfigurationSpellings"/>). A value
/// that is neither is reported and the section is not applied, but it is still bound (without that value)
/// so that unknown keys are reported in the same pass.
/// </remarks>
internal static class MeshConfigurationBinding
{
    public static bool TryBind(IConfiguration configuration, ExternalServiceOptions target, string what, IList<MeshConfigurationDiagnostic> diagnostics)
    {
        var valid = TryNormalize(ref configuration, MeshConfigurationSpellings.ExternalServiceFields, what, diagnostics);
        try
        {
            configuration.Bind(target, static b => b.ErrorOnUnknownConfiguration = true);
            HealthCheckBinding.Apply(configuration, target);
            return valid;
        }
        catch (InvalidOperationException ex)
        {
            diagnostics.Add(MeshConfigurationDiagnostic.Error($"{what}: {ex.Message}"));
            return false;
        }
    }

    public static void TryBind(IConfiguration configuration, MeshOptions target, string what)
    {
        // After a rejected value the section is bound to a scratch instance only: still reporting unknown
        // keys, but not the findings that would follow from the value left out ("NONE mode cannot set endpoints").
        var valid = TryNormalize(ref configuration, MeshConfigurationSpellings.MeshFields, what, target.SourceDiagnostics);
        if (configuration.GetSection(nameof(MeshOptions.SourceDiagnostics)).Exists())
        {
            // Findings come from configuration sources, never from the configuration they read.
            target.SourceDiagnostics.Add(MeshConfigurationDiagnostic.Error($"{what}: '{nameof(MeshOptions.SourceDiagnostics)}' is not a setting and cannot be configured."));
            return;
        }

        var bound = valid ? target : new MeshOptions();
        try
        {
            var before = bound.ExternalServices.Count;
            configuration.Bind(bound, static b => b.ErrorOnUnknownConfiguration = true);
            HealthCheckBinding.Apply(configuration, bound, before);
        }
        catch (InvalidOperationException ex)
        {
            target.SourceDiagnostics.Add(MeshConfigurationDiagnostic.Error($"{what}: {ex.Message}"));
        }
    }

    private static bool TryNormalize(ref IConfiguration configuration, MeshConfigurationSpellings.EnumField[] fields, string what, IList<MeshConfigurationDiagnostic> diagnostics)
    {
        var errors = new List<string>();
        configuration = MeshConfigurationSpellings.Normalize(configuration, fields, errors);
        foreach (var error in errors)
        {
            diagnostics.Add(MeshConfigurationDiagnostic.Error($"{what}: {error}"));
        }

        return errors.Count == 0;
    }
}
