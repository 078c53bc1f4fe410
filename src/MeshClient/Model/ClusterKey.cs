namespace MeshClient.Model;

/// <summary>Identifies one upstream cluster: a service host, a service port and an optional subset.</summary>
/// <param name="Host">The declared host, lower case (may be a wildcard).</param>
/// <param name="Port">The service port number.</param>
/// <param name="Subset">The destination-rule subset, or <see langword="null"/>.</param>
internal readonly record struct ClusterKey(string Host, int Port, string? Subset = null)
{
    public static readonly ClusterKey Passthrough = new("PassthroughCluster", 0);

    /// <summary>Envoy's cluster name: <c>outbound|80|subset|api.example.com</c>.</summary>
    public override string ToString() => this == Passthrough ? Host : $"outbound|{Port}|{Subset}|{Host}";
}
