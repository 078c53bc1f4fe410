namespace MeshClient.Runtime;

/// <summary>
/// A few objects of one kind kept for reuse by the requests of the whole process: a fixed array of
/// slots, each taken and given back with one interlocked operation, so an object may be returned on
/// another thread than the one that took it (a request's continuation usually is). When no object is
/// kept the caller allocates one; when every slot is taken a returned object is dropped for the GC.
/// </summary>
/// <typeparam name="T">The kind of object; the caller resets it before it is kept.</typeparam>
internal sealed class SpareObjects<T>
    where T : class
{
    private readonly T?[] _slots = new T?[Math.Max(8, Environment.ProcessorCount * 4)];

    /// <summary>A kept object, or <see langword="null"/> when there is none.</summary>
    public T? TryTake()
    {
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is not null && Interlocked.Exchange(ref slots[i], null) is { } spare)
            {
                return spare;
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="spare"/> for the next <see cref="TryTake"/>; <see langword="false"/> when every slot is taken.</summary>
    public bool TryKeep(T spare)
    {
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], spare, null) is null)
            {
                return true;
            }
        }

        return false;
    }
}
