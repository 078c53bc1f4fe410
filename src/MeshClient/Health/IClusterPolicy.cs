namespace MeshClient.Health;

/// <summary>
/// A per-cluster policy that learns from attempts and may take endpoints out of (or back into) the
/// load balancer — outlier detection, active health checks. It lives as long as its cluster, in the
/// singleton runtime (never in a handler), and is disposed with it.
/// </summary>
/// <remarks>
/// <see cref="OnAttemptEnded"/> runs on the request path for every attempt: it must be cheap and
/// must not block. Decisions that change the endpoint set go through
/// <see cref="ClusterPolicyContext.SetUnavailable"/>, which rebuilds the cluster's state through its
/// single writer. Shaped like YARP's <c>IPassiveHealthCheckPolicy</c>.
/// </remarks>
internal interface IClusterPolicy : IDisposable
{
    /// <summary>One attempt on <paramref name="endpoint"/> ended with <paramref name="outcome"/>.</summary>
    void OnAttemptEnded(Discovery.MeshEndpoint endpoint, in AttemptOutcome outcome);
}

/// <summary>Creates (or keeps) a cluster's <see cref="IClusterPolicy"/> when the cluster is built or its definition changes.</summary>
internal interface IClusterPolicyFactory
{
    /// <summary>
    /// Returns the policy the cluster should use under its current definition: <paramref name="existing"/>
    /// to keep it (and its state), a new one, or <see langword="null"/> when the definition does not ask
    /// for this policy. A replaced or dropped policy is disposed by the cluster.
    /// </summary>
    IClusterPolicy? Create(ClusterPolicyContext context, IClusterPolicy? existing);
}
