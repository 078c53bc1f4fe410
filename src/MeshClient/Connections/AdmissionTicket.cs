namespace MeshClient.Connections;

/// <summary>
/// What one attempt took from a <see cref="ConnectionPoolAdmission"/>, handed back exactly once when
/// the attempt ends (<c>Cluster.EndAttempt</c>). The default ticket took nothing (no limits).
/// </summary>
internal readonly struct AdmissionTicket
{
    internal AdmissionTicket(ConnectionPoolAdmission? admission, PendingAttempt? waiter, bool holdsConnection, bool isOverflow)
    {
        Admission = admission;
        Waiter = waiter;
        HoldsConnection = holdsConnection;
        IsOverflow = isOverflow;
    }

    /// <summary>The attempt was refused: a limit is reached (Envoy <c>UO</c>). It took nothing.</summary>
    public static AdmissionTicket Overflow { get; } = new(null, null, false, true);

    public ConnectionPoolAdmission? Admission { get; }

    /// <summary>Set when the attempt had to wait for a connection slot; its task completes when the slot is granted.</summary>
    public PendingAttempt? Waiter { get; }

    /// <summary>Whether the attempt took a connection slot at once.</summary>
    public bool HoldsConnection { get; }

    public bool IsOverflow { get; }

    /// <summary>Whether the attempt must still wait for a connection slot before it is sent.</summary>
    public bool MustWait => Waiter is { Task.IsCompleted: false };

    /// <summary>Whether the attempt got to be sent: it did not wait, or it went on to the wire after its wait.</summary>
    public bool WasSent => !IsOverflow && (Waiter is null || Waiter.IsSent);
}
