using MeshClient.Health;

namespace MeshClient.LoadBalancing;

/// <summary>
/// Learns each attempt a picker chose (grpc-dotnet's <c>ISubchannelCallTracker</c>): started when
/// the attempt is sent, ended with its outcome, exactly once each, possibly on other threads and
/// concurrently with picks. Implementations keep their state in <see cref="Interlocked"/> fields.
/// </summary>
internal interface IAttemptTracker
{
    void OnStarted();

    void OnEnded(in AttemptOutcome outcome);
}
