using System.Net;
using System.Net.Sockets;

namespace MeshClient.Discovery;

/// <summary>
/// The address new connections of a DNS_ROUND_ROBIN endpoint go to (Envoy LOGICAL_DNS): the first
/// address of the latest successful answer. Existing connections stay where they are; an empty
/// answer keeps the last address, as Envoy keeps its logical host.
/// </summary>
internal sealed class LogicalDnsAddress
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _timeProvider;
    private volatile IPAddress? _current;
    private volatile bool _failed;

    public LogicalDnsAddress(TimeProvider timeProvider, TimeSpan firstResolutionTimeout)
    {
        _timeProvider = timeProvider;
        FirstResolutionTimeout = firstResolutionTimeout;
    }

    public IPAddress? Current => _current;

    internal TimeSpan FirstResolutionTimeout { get; set; }

    /// <summary>The DNS refresh: a new first address (or none, after an empty answer or a failure).</summary>
    public void OnAnswer(IPAddress? first, bool success)
    {
        if (first is not null)
        {
            _current = first;
        }

        _failed = !success && _current is null;
        _first.TrySetResult();
    }

    /// <summary>Where a new connection goes: waits (bounded) for the very first answer; a name that never resolved is a DNS failure.</summary>
    public async ValueTask<IPAddress> GetAsync(string host, CancellationToken cancellationToken)
    {
        if (_current is { } current)
        {
            return current;
        }

        if (!_first.Task.IsCompleted)
        {
            try
            {
                await _first.Task.WaitAsync(FirstResolutionTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // reported below
            }
        }

        return _current ?? throw new SocketException((int)SocketError.HostNotFound, _failed ? $"DNS resolution of '{host}' failed." : $"'{host}' has no address (yet).");
    }
}
