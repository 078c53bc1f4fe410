using MeshClient.Model;

namespace MeshClient.Discovery;

/// <summary>
/// A live endpoint of a cluster: its definition, its connection pool and the counters that outlive
/// handler rotation and reloads that keep the endpoint.
/// </summary>
/// <remarks>
/// Lifetime: an attempt <see cref="TryStart"/>s the endpoint and <see cref="OnEnd"/>s it. A reload
/// (or the end of the cluster) that drops the endpoint <see cref="Retire"/>s it; its connections
/// are closed when the last attempt on it ends, so in-flight attempts finish.
/// </remarks>
internal sealed class MeshEndpoint
{
    private readonly HttpMessageInvoker _connections;
    private long _requests;
    private long _successes;
    private long _failures;
    private int _inFlight;
    private int _retired;
    private int _closed;

    public MeshEndpoint(EndpointDefinition definition, HttpMessageInvoker connections)
    {
        Definition = definition;
        _connections = connections;
    }

    public EndpointDefinition Definition { get; }

    public string Authority => Definition.Authority;

    public int Weight => Definition.Weight;

    public long Requests => Interlocked.Read(ref _requests);

    public long Successes => Interlocked.Read(ref _successes);

    public long Failures => Interlocked.Read(ref _failures);

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>The endpoint's connection pool. Only valid between a successful <see cref="TryStart"/> and <see cref="OnEnd"/>.</summary>
    public HttpMessageInvoker Connections => _connections;

    /// <summary>
    /// Starts an attempt on this endpoint; <see langword="false"/> when a reload retired it (the
    /// caller picks again from the state that replaced it).
    /// </summary>
    public bool TryStart()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) != 0)
        {
            EndAttempt();
            return false;
        }

        Interlocked.Increment(ref _requests);
        return true;
    }

    /// <summary>Ends an attempt that <see cref="TryStart"/> started.</summary>
    public void OnEnd(bool success)
    {
        Interlocked.Increment(ref success ? ref _successes : ref _failures);
        EndAttempt();
    }

    /// <summary>Takes the endpoint out of service; its connections close when its last attempt ends.</summary>
    public void Retire()
    {
        // Interlocked (a full fence): the write must not pass the read of the in-flight count.
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            Close();
        }
    }

    private void EndAttempt()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) != 0)
        {
            Close();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _connections.Dispose();
        }
    }
}
