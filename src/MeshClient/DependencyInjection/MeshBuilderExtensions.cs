using MeshClient.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configuration sources for the mesh.</summary>
public static class MeshBuilderExtensions
{
    /// <summary>
    /// Binds <see cref="MeshOptions"/> (outbound policy, failure mode and <c>ExternalServices</c>) from a
    /// configuration section such as <c>"Mesh"</c> in <c>appsettings.json</c>, and reloads when it changes.
    /// Unknown keys are errors, reported with the rest of validation. Enum values take the C# names
    /// (<c>RegistryOnly</c>) or Istio's spellings (<c>REGISTRY_ONLY</c>, <c>DNS_ROUND_ROBIN</c>).
    /// <c>SourceDiagnostics</c> is not a setting: configuration that sets it is an error.
    /// </summary>
    /// <param name="builder">The mesh builder.</param>
    /// <param name="sectionPath">The section path, for example <c>"Mesh"</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sectionPath"/> is empty or white space.</exception>
    public static IMeshBuilder BindConfiguration(this IMeshBuilder builder, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(provider =>
            new ConfigurationChangeTokenSource<MeshOptions>(provider.GetRequiredService<IConfiguration>().GetSection(sectionPath)));
        builder.Services.AddSingleton<IConfigureOptions<MeshOptions>>(provider =>
        {
            var section = provider.GetRequiredService<IConfiguration>().GetSection(sectionPath);
            return new ConfigureNamedOptions<MeshOptions>(Options.Options.DefaultName, options =>
            {
                var before = options.ExternalServices.Count;
                MeshConfigurationBinding.TryBind(section, options, $"Configuration section '{sectionPath}'");
                for (var i = before; i < options.ExternalServices.Count; i++)
                {
                    options.ExternalServices[i].Source ??= $"{sectionPath}:ExternalServices:{i - before}";
                }
            });
        });
        return builder;
    }
}
