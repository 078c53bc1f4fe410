using System.Diagnostics;

namespace MeshClient.Connections;

/// <summary>
/// Envoy's circuit breakers for one cluster (or, in <see cref="Configuration.ConnectionPoolScope.Endpoint"/>
/// scope, one endpoint): counters of requests in flight, connection slots in use, requests waiting for
/// a slot and retries in flight, checked against <see cref="Limits"/> when an attempt starts and
/// handed back when it ends. Over a limit, an attempt fails at once (overflow, <c>UO</c>): nothing
/// queues beyond <see cref="ConnectionLimits.MaxPendingRequests"/>.
/// </summary>
/// <remarks>
/// <para>
/// An HTTP/1.1 request needs a connection of its own, so a connection slot is one HTTP/1.1 request
/// being sent; <see cref="ConnectionLimits.MaxConnections"/> bounds them (each endpoint's pool also
/// opens no more than that many connections). HTTP/2 requests share connections and take no slot.
/// </para>
/// <para>
/// Lock-free while a slot is free; the queue of waiting attempts is under a gate. A release
/// decrements the slots, then looks for waiters; a waiter counts itself pending, then retries for
/// a slot — both with full fences, so a slot freed while an attempt joins the queue is never lost.
/// The object lives as long as its cluster (or endpoint): a reload changes <see cref="Limits"/> in
/// place, and attempts hand their ticket back to the object they took it from.
/// </para>
/// </remarks>
internal sealed class ConnectionPoolAdmission
{
    private readonly object _queueGate = new();
    private LinkedList<PendingAttempt>? _queue;
    private volatile ConnectionLimits _limits;
    private int _requests;
    private int _connections;
    private int _pending;
    private int _retries;
    private long _overflows;
    private long _retryOverflows;

    public ConnectionPoolAdmission(ConnectionLimits? limits = null) => _limits = limits ?? ConnectionLimits.None;

    /// <summary>The limits; set by the cluster's single writer on a reload.</summary>
    public ConnectionLimits Limits
    {
        get => _limits;
        set => _limits = value;
    }

    /// <summary>Requests admitted and not ended (sent or waiting).</summary>
    public int ActiveRequests => Volatile.Read(ref _requests);

    /// <summary>Connection slots in use (HTTP/1.1 requests being sent).</summary>
    public int ActiveConnections => Volatile.Read(ref _connections);

    /// <summary>Requests waiting for a connection slot.</summary>
    public int PendingRequests => Volatile.Read(ref _pending);

    /// <summary>Retries in flight.</summary>
    public int ActiveRetries => Volatile.Read(ref _retries);

    /// <summary>Attempts refused (Envoy's <c>upstream_rq_pending_overflow</c> and <c>upstream_rq_overflow</c> together).</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Retries refused (Envoy's <c>upstream_rq_retry_overflow</c>).</summary>
    public long RetryOverflows => Interlocked.Read(ref _retryOverflows);

    /// <summary>
    /// Admits an attempt: a ticket that holds a request (and a connection slot, when
    /// <paramref name="needsConnection"/>), one that waits for a slot (<see cref="AdmissionTicket.MustWait"/>),
    /// or <see cref="AdmissionTicket.Overflow"/>. Every ticket but the overflow one goes back through <see cref="Release"/>.
    /// </summary>
    public AdmissionTicket TryAdmit(bool needsConnection)
    {
        var limits = _limits;
        if (!TryIncrement(ref _requests, limits.MaxRequests))
        {
            return Overflow();
        }

        if (!needsConnection || limits.MaxConnections <= 0)
        {
            return new AdmissionTicket(this, null, holdsConnection: false, isOverflow: false);
        }

        if (TryIncrement(ref _connections, limits.MaxConnections))
        {
            return new AdmissionTicket(this, null, holdsConnection: true, isOverflow: false);
        }

        return Enqueue(limits);
    }

    /// <summary>Hands back what <paramref name="ticket"/> took; exactly once per admitted attempt.</summary>
    public void Release(in AdmissionTicket ticket)
    {
        Debug.Assert(ReferenceEquals(ticket.Admission, this), "A ticket goes back to the admission that issued it.");
        if (ticket.Waiter is { } waiter)
        {
            bool granted;
            lock (_queueGate)
            {
                if (waiter.Node?.List is not null)
                {
                    // Ended while it still waited (cancelled, timed out): it never got a slot.
                    _queue!.Remove(waiter.Node);
                    waiter.Node = null;
                    Interlocked.Decrement(ref _pending);
                    granted = false;
                }
                else
                {
                    granted = waiter.Task.IsCompletedSuccessfully;
                }
            }

            waiter.TrySetCanceled();
            if (granted)
            {
                ReleaseConnection();
            }
        }
        else if (ticket.HoldsConnection)
        {
            ReleaseConnection();
        }

        var requests = Interlocked.Decrement(ref _requests);
        Debug.Assert(requests >= 0, "More requests released than admitted.");
    }

    /// <summary>Takes a slot for a retry; <see langword="false"/> (counted as a retry overflow) when <see cref="ConnectionLimits.MaxRetries"/> are in flight.</summary>
    public bool TryStartRetry()
    {
        if (TryIncrement(ref _retries, _limits.MaxRetries))
        {
            return true;
        }

        Interlocked.Increment(ref _retryOverflows);
        return false;
    }

    /// <summary>Hands back the slot of a retry that <see cref="TryStartRetry"/> admitted, when that retry ends.</summary>
    public void EndRetry()
    {
        var retries = Interlocked.Decrement(ref _retries);
        Debug.Assert(retries >= 0, "More retries ended than started.");
    }

    private AdmissionTicket Enqueue(ConnectionLimits limits)
    {
        var waiter = new PendingAttempt();
        lock (_queueGate)
        {
            if (limits.MaxPendingRequests > 0 && Volatile.Read(ref _pending) >= limits.MaxPendingRequests)
            {
                Interlocked.Decrement(ref _requests);
                return Overflow();
            }

            _queue ??= new LinkedList<PendingAttempt>();
            waiter.Node = _queue.AddLast(waiter);
            Interlocked.Increment(ref _pending);

            // A slot may have been freed after the fast path failed and before this attempt counted
            // itself pending (that release saw no waiter): hand out what is free now.
            GrantWaiters();
        }

        return new AdmissionTicket(this, waiter, holdsConnection: false, isOverflow: false);
    }

    private void ReleaseConnection()
    {
        var connections = Interlocked.Decrement(ref _connections);
        Debug.Assert(connections >= 0, "More connection slots released than taken.");
        if (Volatile.Read(ref _pending) > 0)
        {
            lock (_queueGate)
            {
                GrantWaiters();
            }
        }
    }

    /// <summary>Gives free slots to the waiters, first come first served. Under the gate.</summary>
    private void GrantWaiters()
    {
        while (_queue?.First is { } first && TryIncrement(ref _connections, _limits.MaxConnections))
        {
            _queue.RemoveFirst();
            first.Value.Node = null;
            Interlocked.Decrement(ref _pending);
            first.Value.TrySetResult();
        }
    }

    private AdmissionTicket Overflow()
    {
        Interlocked.Increment(ref _overflows);
        return AdmissionTicket.Overflow;
    }

    /// <summary>Increments <paramref name="counter"/> unless it has reached <paramref name="max"/> (0: no limit).</summary>
    private static bool TryIncrement(ref int counter, int max)
    {
        if (max <= 0)
        {
            Interlocked.Increment(ref counter);
            return true;
        }

        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}
