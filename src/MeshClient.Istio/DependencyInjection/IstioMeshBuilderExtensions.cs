using MeshClient.Configuration;
using MeshClient.Istio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Istio YAML as a configuration source of the mesh.</summary>
public static class IstioMeshBuilderExtensions
{
    /// <summary>
    /// Reads unmodified Istio YAML — <c>ServiceEntry</c>, <c>DestinationRule</c>, <c>VirtualService</c>
    /// and <c>Sidecar</c> objects — from files and folders into the mesh, and reloads when they change.
    /// </summary>
    /// <param name="builder">The mesh builder returned by <c>AddMesh</c>.</param>
    /// <param name="pathsOrFolders">
    /// YAML files, or folders whose <c>*.yaml</c>/<c>*.yml</c> files are read (not recursively).
    /// Relative paths are resolved against the current directory when this method is called.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="pathsOrFolders"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pathsOrFolders"/> is empty or holds an empty path.</exception>
    /// <remarks>
    /// <para>
    /// Problems in the files (missing file, YAML syntax, invalid objects) never throw here: they are
    /// findings with <c>file:line:column</c>. At start-up an error fails <c>ValidateOnStart</c> with every
    /// error listed; on a later change the errors are logged and the last good configuration stays.
    /// Fields MeshClient does not support yet are warnings, logged when the configuration is applied.
    /// </para>
    /// <para>
    /// Changes are detected with a file watcher (a polling watcher when <c>DOTNET_USE_POLLING_FILE_WATCHER</c>
    /// is set or file-system events are unavailable) and debounced by 250 ms. A <c>Sidecar</c> that sets
    /// <c>outboundTrafficPolicy.mode</c> replaces the mode set in code.
    /// </para>
    /// <para>
    /// Input limits (file size, nesting depth, documents per file, read time) are the
    /// <see cref="IstioLoaderOptions"/>, set with <c>services.Configure&lt;IstioLoaderOptions&gt;(…)</c>. Only
    /// files that report a length are read: FIFOs, sockets and devices are skipped with a warning.
    /// </para>
    /// </remarks>
    public static IMeshBuilder AddIstioConfiguration(this IMeshBuilder builder, params string[] pathsOrFolders)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(pathsOrFolders);
        if (pathsOrFolders.Length == 0)
        {
            throw new ArgumentException("At least one file or folder is required.", nameof(pathsOrFolders));
        }

        var paths = new string[pathsOrFolders.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(pathsOrFolders[i], nameof(pathsOrFolders));
            paths[i] = ResolvePath(pathsOrFolders[i]);
        }

        builder.Services.AddSingleton<IConfigureOptions<MeshOptions>>(provider =>
            new IstioConfigureOptions(paths, provider.GetService<IOptions<IstioLoaderOptions>>()?.Value, provider.GetService<ILoggerFactory>()));
        builder.Services.AddSingleton<IOptionsChangeTokenSource<MeshOptions>>(provider =>
            new IstioChangeTokenSource(paths, provider.GetService<TimeProvider>() ?? TimeProvider.System, IstioChangeTokenSource.DefaultDebounce, provider.GetService<ILoggerFactory>()));
        return builder;
    }

    private static string ResolvePath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            return path; // reported by the loader as a finding
        }
    }
}
