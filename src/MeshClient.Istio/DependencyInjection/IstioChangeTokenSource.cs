using MeshClient.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Watches the Istio YAML files and folders and signals <see cref="IOptionsMonitor{TOptions}"/> once a
/// burst of changes has settled (editors write a file in several steps), so the runtime re-validates
/// and swaps the snapshot. A folder is watched for <c>*.yaml</c> and <c>*.yml</c> at its top level.
/// </summary>
internal sealed partial class IstioChangeTokenSource : IOptionsChangeTokenSource<MeshOptions>, IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);

    private readonly List<IDisposable> _resources = [];
    private readonly ITimer _timer;
    private readonly TimeSpan _debounce;
    private readonly ILogger _logger;
    private CancellationTokenSource _changed = new();
    private int _disposed;

    public IstioChangeTokenSource(string[] paths, TimeProvider timeProvider, TimeSpan debounce, ILoggerFactory? loggerFactory)
    {
        _debounce = debounce;
        _logger = loggerFactory?.CreateLogger("MeshClient.Istio.IstioConfigurationWatcher") ?? NullLogger.Instance;
        _timer = timeProvider.CreateTimer(static state => ((IstioChangeTokenSource)state!).Signal(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (var path in paths)
        {
            try
            {
                Watch(path);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not watchable (for example the folder does not exist): the load already reports it.
                LogNotWatched(_logger, path, ex.Message);
            }
        }
    }

    public string Name => Options.Options.DefaultName;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }

        // _changed is not disposed: a late GetChangeToken (OptionsMonitor re-registering while the
        // container shuts down) must not throw, and a source without a timer holds nothing to free.
    }

    private void Watch(string path)
    {
        string root;
        string[] filters;
        if (Directory.Exists(path))
        {
            root = path;
            filters = ["*.yaml", "*.yml"];
        }
        else
        {
            root = Path.GetDirectoryName(path) ?? throw new DirectoryNotFoundException(path);
            filters = [Path.GetFileName(path)];
        }

        var provider = new PhysicalFileProvider(root, ExclusionFilters.None);
        try
        {
            // Watching the first filter creates the file-system watcher; it fails when inotify is unavailable.
            _ = provider.Watch(filters[0]);
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            LogPolling(_logger, path, ex.Message);
            provider.Dispose();
            provider = new PhysicalFileProvider(root, ExclusionFilters.None) { UsePollingFileWatcher = true, UseActivePolling = true };
        }

        _resources.Add(provider);
        foreach (var filter in filters)
        {
            _resources.Add(ChangeToken.OnChange(() => provider.Watch(filter), OnFileChanged));
        }
    }

    internal void OnFileChanged()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Signal()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        // Listeners re-register on the new token from GetChangeToken when the old one fires.
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        LogChanged(_logger);
        try
        {
            previous.Cancel();
        }
        catch (AggregateException ex)
        {
            // A listener failed (for example the runtime was disposed while the change was in flight).
            // This runs on a timer thread: an escaping exception would end the process.
            LogListenerFailed(_logger, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Istio configuration: '{Path}' is not watched for changes: {Reason}")]
    private static partial void LogNotWatched(ILogger logger, string path, string reason);

    [LoggerMessage(2, LogLevel.Information, "Istio configuration: file-system events are unavailable for '{Path}' ({Reason}); polling for changes instead.")]
    private static partial void LogPolling(ILogger logger, string path, string reason);

    [LoggerMessage(4, LogLevel.Error, "Istio configuration: a listener of the configuration change failed.")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Istio configuration changed; reloading the mesh configuration.")]
    private static partial void LogChanged(ILogger logger);
}
