using MeshClient.Discovery;

namespace MeshClient.LoadBalancing;

/// <summary>
/// The endpoints one request's attempts went to, for Envoy's <c>previous_hosts</c> retry predicate.
/// Created only when a request makes a second attempt; attempts of one request may run concurrently
/// (hedging), so adds are locked on this per-request object (never on the pick path of others).
/// </summary>
internal sealed class TriedEndpoints
{
    private MeshEndpoint[] _items = new MeshEndpoint[4];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(MeshEndpoint endpoint)
    {
        lock (this)
        {
            if (Array.IndexOf(_items, endpoint, 0, _count) >= 0)
            {
                return;
            }

            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _count * 2);
            }

            _items[_count] = endpoint;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool Contains(MeshEndpoint endpoint)
    {
        lock (this)
        {
            return Array.IndexOf(_items, endpoint, 0, _count) >= 0;
        }
    }
}
