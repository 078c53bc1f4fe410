namespace MeshClient.Connections;

/// <summary>
/// An attempt waiting for a connection slot (Envoy's pending request). Its task completes when a
/// slot is granted to it, or is cancelled when the attempt ends while it still waits.
/// </summary>
internal sealed class PendingAttempt : TaskCompletionSource
{
    // Continuations run on the pool, never inline in whoever releases the slot.
    public PendingAttempt()
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
    }

    /// <summary>Set when the attempt, granted its slot, goes on to be sent (it may also end right there, cancelled).</summary>
    public bool IsSent { get; private set; }

    /// <summary>Its place in the queue; under the admission's gate.</summary>
    internal LinkedListNode<PendingAttempt>? Node { get; set; }

    /// <summary>The attempt leaves the queue for the wire.</summary>
    public void MarkSent() => IsSent = true;
}
