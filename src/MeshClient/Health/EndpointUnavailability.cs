namespace MeshClient.Health;

/// <summary>Why an endpoint is out of the load balancer; several reasons can hold at once.</summary>
[Flags]
internal enum EndpointUnavailability
{
    None = 0,

    /// <summary>Outlier detection ejected it.</summary>
    Ejected = 1 << 0,

    /// <summary>Active health checks found it unhealthy.</summary>
    FailedActiveCheck = 1 << 1,
}
