using MeshClient.Model;

namespace MeshClient.Connections;

/// <summary>
/// The connection pools and in-flight load counters that the clusters of one runtime share: a
/// service's default cluster (<c>outbound|port||host</c>) and its subset clusters
/// (<c>outbound|port|v1|host</c>) send to the same endpoint over the same connections, and the
/// least-request load balancers of all of them see the same load, while each cluster keeps its own
/// <c>MeshEndpoint</c> (outlier and active health, statistics, circuit breakers, slow start).
/// </summary>
/// <remarks>
/// <para>
/// A pool is keyed by service, endpoint (address and port) and <see cref="WireSettings"/>: a subset
/// whose own <c>tls</c> or <c>connectionPool</c> changes the wire settings gets a pool of its own.
/// A load counter is keyed by service and endpoint only (the endpoint is as busy whatever the wire).
/// </para>
/// <para>
/// Ownership: each endpoint that uses a pool (or a counter) owns it once; the pool is retired when
/// its last owner lets it go (<see cref="Release(EndpointPool)"/>: the endpoint left its cluster, its cluster was
/// disposed, or its wire settings changed) and closes after its attempts in flight. Only rebuilds
/// take the lock (never a pick or an attempt).
/// </para>
/// </remarks>
internal sealed class SharedEndpointPools
{
    private readonly object _gate = new();
    private readonly Dictionary<PoolKey, EndpointPool> _pools = [];
    private readonly Dictionary<LoadKey, EndpointLoad> _loads = [];

    /// <summary>The pools currently shared (tests).</summary>
    internal int PoolCount
    {
        get
        {
            lock (_gate)
            {
                return _pools.Count;
            }
        }
    }

    /// <summary>
    /// The live pool of <paramref name="service"/>'s <paramref name="endpoint"/> under <paramref name="wire"/>
    /// (one more owner), or a new one from <paramref name="create"/> that becomes it.
    /// </summary>
    public EndpointPool Lease(string service, EndpointKey endpoint, WireSettings wire, Func<EndpointPool> create) =>
        LeaseOrCreate(new PoolKey(service, endpoint, wire), except: null, create);

    /// <summary>
    /// A fresh pool for an owner of <paramref name="current"/> (rotated TLS material was loaded): a new
    /// one from <paramref name="create"/> when <paramref name="current"/> is still the key's pool, else
    /// the one another owner already renewed it to. The caller then <see cref="Release(EndpointPool)"/>s <paramref name="current"/>.
    /// </summary>
    public EndpointPool Renew(string service, EndpointKey endpoint, WireSettings wire, EndpointPool current, Func<EndpointPool> create) =>
        LeaseOrCreate(new PoolKey(service, endpoint, wire), except: current, create);

    /// <summary>One owner lets <paramref name="pool"/> go; the last one retires it (it closes after its attempts in flight).</summary>
    public void Release(EndpointPool pool)
    {
        lock (_gate)
        {
            if (--pool.Owners > 0)
            {
                return;
            }

            if (pool.SharedKey is PoolKey key && _pools.TryGetValue(key, out var registered) && ReferenceEquals(registered, pool))
            {
                _pools.Remove(key);
            }
        }

        pool.Retire();
    }

    /// <summary>The in-flight load counter of <paramref name="service"/>'s <paramref name="endpoint"/> (one more owner).</summary>
    public EndpointLoad LeaseLoad(string service, EndpointKey endpoint)
    {
        var key = new LoadKey(service, endpoint);
        lock (_gate)
        {
            if (!_loads.TryGetValue(key, out var load))
            {
                load = new EndpointLoad(this, key);
                _loads.Add(key, load);
            }

            load.Owners++;
            return load;
        }
    }

    /// <summary>One owner lets <paramref name="load"/> go; the last one forgets it (attempts in flight still end on it).</summary>
    public void Release(EndpointLoad load)
    {
        lock (_gate)
        {
            if (--load.Owners == 0 && load.Key is LoadKey key && _loads.TryGetValue(key, out var registered) && ReferenceEquals(registered, load))
            {
                _loads.Remove(key);
            }
        }
    }

    /// <summary>The key's live pool (one more owner) unless it is <paramref name="except"/>, else a new one from <paramref name="create"/> that becomes the key's.</summary>
    private EndpointPool LeaseOrCreate(PoolKey key, EndpointPool? except, Func<EndpointPool> create)
    {
        lock (_gate)
        {
            if (_pools.TryGetValue(key, out var pool) && !ReferenceEquals(pool, except) && !pool.IsRetired)
            {
                pool.Owners++;
                return pool;
            }

            return Register(key, create());
        }
    }

    private EndpointPool Register(PoolKey key, EndpointPool pool)
    {
        pool.Registry = this;
        pool.SharedKey = key;
        pool.Owners = 1;
        _pools[key] = pool;
        return pool;
    }

    private readonly record struct PoolKey(string Service, EndpointKey Endpoint, WireSettings Wire);

    private readonly record struct LoadKey(string Service, EndpointKey Endpoint);
}

/// <summary>
/// The attempts in flight on one endpoint, across every cluster that shares it (see
/// <see cref="SharedEndpointPools"/>): the load that least request, peak EWMA and slow start read.
/// </summary>
internal sealed class EndpointLoad
{
    private int _inFlight;

    /// <summary>An unshared counter (an endpoint of its own).</summary>
    public EndpointLoad()
    {
    }

    internal EndpointLoad(SharedEndpointPools registry, object key)
    {
        Registry = registry;
        Key = key;
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The registry that shares it, or <see langword="null"/>.</summary>
    internal SharedEndpointPools? Registry { get; }

    internal object? Key { get; }

    /// <summary>The endpoints that hold it (under the registry's lock).</summary>
    internal int Owners { get; set; }

    public void Increment() => Interlocked.Increment(ref _inFlight);

    public void Decrement() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The owning endpoint lets it go.</summary>
    public void Release() => Registry?.Release(this);
}
