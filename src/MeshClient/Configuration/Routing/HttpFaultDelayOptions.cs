namespace MeshClient.Configuration;

/// <summary>A delay injected before the request is sent (Istio <c>HTTPFaultInjection.Delay</c>; Envoy flag <c>DI</c>).</summary>
public sealed class HttpFaultDelayOptions
{
    /// <summary>Gets or sets how long the request waits before it is sent.</summary>
    /// <value>Required (Istio <c>fixedDelay</c>): at least 1 ms, in whole milliseconds.</value>
    public TimeSpan? FixedDelay { get; set; }

    /// <summary>Gets or sets the percentage of requests delayed, 0 to 100 (up to four decimals).</summary>
    /// <value>Defaults to <see langword="null"/>: no request, as in Istio (Istio <c>percentage.value</c>).</value>
    public double? Percentage { get; set; }
}
