using MeshClient.Configuration;
using MeshClient.Istio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Loads the Istio YAML each time the options are built (at start and on every change) and adds it to
/// them. Never throws: anything unexpected becomes an error in <see cref="MeshOptions.SourceDiagnostics"/>.
/// </summary>
internal sealed partial class IstioConfigureOptions(string[] paths, IstioLoaderOptions? loaderOptions, ILoggerFactory? loggerFactory) : IConfigureOptions<MeshOptions>
{
    private readonly ILogger _logger = loggerFactory?.CreateLogger("MeshClient.Istio.IstioConfigurationLoader") ?? NullLogger.Instance;

    public void Configure(MeshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var result = IstioConfigurationLoader.Load(paths, loaderOptions);
            foreach (var resource in result.Resources)
            {
                if (resource.Status == IstioResourceStatus.Ignored)
                {
                    LogIgnored(_logger, resource.Location, resource.Kind, resource.DisplayName, resource.IgnoredReason);
                }
            }

            LogLoaded(_logger, result.Files.Count, result.Options.ExternalServices.Count, result.Diagnostics.Count(static d => d.IsError), result.Diagnostics.Count(static d => !d.IsError));
            result.ApplyTo(options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            options.SourceDiagnostics.Add(MeshConfigurationDiagnostic.Error($"Istio configuration ({string.Join(", ", paths)}) could not be loaded: {ex.Message}"));
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Istio configuration: ignored {Location} {Kind} {Name}: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string location, string? kind, string name, string? reason);

    [LoggerMessage(2, LogLevel.Debug, "Istio configuration: read {Files} files, {Services} service entries, {Errors} errors, {Warnings} warnings.")]
    private static partial void LogLoaded(ILogger logger, int files, int services, int errors, int warnings);
}
