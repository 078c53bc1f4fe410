using MeshClient.Configuration;
using Microsoft.Extensions.Logging;

namespace MeshClient.Connections;

/// <summary>
/// The current <see cref="TlsMaterial"/> of one cluster's <see cref="TlsSettings"/>, and its rotation:
/// a timer on the cluster's <see cref="TimeProvider"/> checks the files every
/// <see cref="TlsSettings.RefreshInterval"/>; when their content changed and loads, new connections
/// use it and <c>onChanged</c> gives the endpoints new pools (open connections finish their requests on
/// the old ones). A change that does not load is logged once and the last good material stays. A file
/// that does not exist (or cannot be read) at start-up gives <see cref="TlsMaterial.Missing"/> material,
/// which fails every connection closed until the timer finds the file.
/// </summary>
internal sealed class TlsMaterialSource : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _cluster;
    private readonly Action? _onChanged;
    private readonly ITimer? _timer;
    private volatile TlsMaterial _current;
    private byte[]? _fingerprint;
    private IDisposable? _watch;
    private bool _unresolved;
    private bool _disposed;

    /// <exception cref="TlsMaterialException">The files cannot be loaded now.</exception>
    public TlsMaterialSource(TlsSettings settings, TimeProvider time, ILogger logger, string cluster, Action? onChanged)
    {
        Settings = settings;
        _time = time;
        _logger = logger;
        _cluster = cluster;
        _onChanged = onChanged;
        if (settings.Provider is not null)
        {
            var credential = TlsMaterial.Resolve(settings);
            _fingerprint = TlsMaterial.Fingerprint(credential);
            _current = TlsMaterial.Load(settings, credential);
        }
        else
        {
            _fingerprint = TlsMaterial.Fingerprint(settings);
            try
            {
                _current = TlsMaterial.Load(settings);
            }
            catch (TlsMaterialException ex) when (ex.FileUnavailable)
            {
                // Fail closed until the file appears: the timer loads it then (the fingerprint is null
                // while a file is missing, so the first complete set of files counts as a change).
                _fingerprint = null;
                _current = TlsMaterial.Missing(ex.Message);
                TlsLog.MaterialUnavailable(logger, cluster, ex.Message);
            }
        }

        if (settings.InsecureSkipVerify)
        {
            TlsLog.InsecureSkipVerify(logger, cluster);
        }

        CheckValidity(_current);
        if (settings.IsWatched)
        {
            _timer = time.CreateTimer(static s => ((TlsMaterialSource)s!).Refresh(), this, settings.RefreshInterval, settings.RefreshInterval);
        }

        Watch();
    }

    public TlsSettings Settings { get; }

    public TlsMaterial Current => _current;

    public DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    public ILogger Logger => _logger;

    public string Cluster => _cluster;

    /// <summary>Checks the files once (the timer's work; tests call it directly).</summary>
    internal void Refresh()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            MeshCredential? credential = null;
            if (Settings.Provider is not null)
            {
                try
                {
                    credential = TlsMaterial.Resolve(Settings);
                }
                catch (TlsMaterialException ex)
                {
                    // The provider lost the credential for now: the last good material stays.
                    if (!_unresolved)
                    {
                        TlsLog.ReloadFailed(_logger, _cluster, ex.Message); // once, until it resolves again
                        _unresolved = true;
                    }

                    return;
                }
            }

            _unresolved = false;
            var fingerprint = credential is null ? TlsMaterial.Fingerprint(Settings) : TlsMaterial.Fingerprint(credential);
            if (fingerprint is null || (_fingerprint is not null && fingerprint.AsSpan().SequenceEqual(_fingerprint)))
            {
                return; // unchanged, or a file is missing for a moment (a Kubernetes secret swaps a symlink)
            }

            _fingerprint = fingerprint;
            TlsMaterial material;
            try
            {
                material = credential is null ? TlsMaterial.Load(Settings) : TlsMaterial.Load(Settings, credential);
            }
            catch (TlsMaterialException ex)
            {
                TlsLog.ReloadFailed(_logger, _cluster, ex.Message);
                return;
            }

            // The previous material is not disposed: connections made with it may still be handshaking.
            _current = material;
            TlsLog.Reloaded(_logger, _cluster);
            CheckValidity(material);
        }

        _onChanged?.Invoke();
    }

    public void Dispose()
    {
        IDisposable? watch;
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            watch = _watch;
            _watch = null;
        }

        // Outside the lock: disposing a registration waits for its callback, which takes the lock.
        watch?.Dispose();
    }

    /// <summary>Follows the provider's change token, when it gives one: a change refreshes at once.</summary>
    private void Watch()
    {
        if (Settings.Provider is not { } provider)
        {
            return;
        }

        Microsoft.Extensions.Primitives.IChangeToken? token;
        try
        {
            token = provider.Watch(Settings.CredentialName!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            TlsLog.ReloadFailed(_logger, _cluster, $"credentialName '{DiagnosticText.Cut(Settings.CredentialName!)}': the credential provider's Watch failed: {DiagnosticText.Cut(ex.Message, 500)}");
            return;
        }

        if (token is null)
        {
            return;
        }

        var registration = token.RegisterChangeCallback(static s => ((TlsMaterialSource)s!).OnCredentialChanged(), this);
        IDisposable? previous;
        lock (_gate)
        {
            previous = _watch;
            _watch = _disposed ? null : registration;
        }

        previous?.Dispose(); // the registration that fired (its callback is the caller)
        if (_disposed)
        {
            registration.Dispose();
        }
    }

    private void OnCredentialChanged()
    {
        Refresh();
        if (!_disposed)
        {
            Watch(); // a change token fires once: ask for the next
        }
    }

    /// <summary>An expired or not-yet-valid client certificate is logged before it is used.</summary>
    private void CheckValidity(TlsMaterial material)
    {
        if (material.ClientCertificate is not { } certificate)
        {
            return;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() < now)
        {
            TlsLog.ClientCertificateExpired(_logger, _cluster, certificate.Subject, certificate.NotAfter.ToUniversalTime());
        }
        else if (certificate.NotBefore.ToUniversalTime() > now)
        {
            TlsLog.ClientCertificateNotYetValid(_logger, _cluster, certificate.Subject, certificate.NotBefore.ToUniversalTime());
        }
    }
}
