namespace MeshClient.Configuration;

/// <summary>Tuning of <see cref="LoadBalancerAlgorithm.PeakEwma"/> (a MeshClient extension; the names follow Linkerd and Finagle).</summary>
public sealed class PeakEwmaOptions
{
    /// <summary>Gets or sets the time constant of the moving average: how fast an old latency is forgotten.</summary>
    /// <value>Defaults to 10 seconds (Linkerd's and Finagle's <c>decay</c>); 1 millisecond to 1 hour.</value>
    public TimeSpan Decay { get; set; } = LoadBalancerDefaults.PeakEwmaDecay;

    /// <summary>Gets or sets the latency assumed for an endpoint that has not answered yet.</summary>
    /// <value>Defaults to 30 milliseconds (Linkerd's <c>default_rtt</c>); 1 millisecond to 1 minute.</value>
    public TimeSpan DefaultRtt { get; set; } = LoadBalancerDefaults.PeakEwmaDefaultRtt;
}
