namespace MeshClient.Configuration;

/// <summary>The defaults of <see cref="ConnectionPoolOptions"/>: Istio's (ISTIO-SEMANTICS.md §3.2). Every limit is unlimited.</summary>
public static class ConnectionPoolDefaults
{
    /// <summary>Gets the TCP connect timeout: 10 seconds (MeshConfig <c>connectTimeout</c>).</summary>
    public static TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how long an idle connection stays open: 1 hour (Envoy's <c>idle_timeout</c> as Istio leaves it).</summary>
    public static TimeSpan IdleTimeout { get; } = TimeSpan.FromHours(1);
}
