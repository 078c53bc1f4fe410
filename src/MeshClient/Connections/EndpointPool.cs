namespace MeshClient.Connections;

/// <summary>
/// One connection pool of an endpoint, reference-counted by the attempts that use it. When the
/// endpoint leaves the cluster, or its wire settings change and a new pool replaces this one, the
/// pool is retired: attempts in flight finish on it, and its connections close when the last one ends.
/// A pool that the clusters of one service share (<see cref="SharedEndpointPools"/>) is retired only
/// when the last endpoint that owns it lets it go (<see cref="Disown"/>).
/// </summary>
internal sealed class EndpointPool
{
    private readonly HttpMessageInvoker _invoker;
    private int _inFlight;
    private int _retired;
    private int _closed;

    public EndpointPool(HttpMessageInvoker invoker) => _invoker = invoker;

    /// <summary>The connections. Only valid between a successful <see cref="TryAcquire"/> and its <see cref="Release"/>.</summary>
    public HttpMessageInvoker Invoker => _invoker;

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>The registry that shares the pool between clusters, or <see langword="null"/> (the pool of one endpoint).</summary>
    internal SharedEndpointPools? Registry { get; set; }

    /// <summary>The pool's key in <see cref="Registry"/>.</summary>
    internal object? SharedKey { get; set; }

    /// <summary>The endpoints that own the shared pool (under the registry's lock).</summary>
    internal int Owners { get; set; }

    /// <summary>
    /// The owning endpoint lets the pool go (it left its cluster, or new wire settings replaced the
    /// pool): retired now, or, when it is shared, once its last owner let it go.
    /// </summary>
    public void Disown()
    {
        if (Registry is { } registry)
        {
            registry.Release(this);
        }
        else
        {
            Retire();
        }
    }

    /// <summary>Starts using the pool; <see langword="false"/> when it was retired (the caller looks for its replacement).</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) != 0)
        {
            Release();
            return false;
        }

        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) != 0)
        {
            Close();
        }
    }

    /// <summary>Takes the pool out of service; it closes when its last user releases it.</summary>
    public void Retire()
    {
        // Interlocked (a full fence): the write must not pass the read of the in-flight count.
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            Close();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _invoker.Dispose();
        }
    }
}
