namespace MeshClient.Configuration;

/// <summary>
/// Active health checks of a service's endpoints (a MeshClient extension: Envoy's cluster
/// <c>health_checks</c>, which Istio does not expose for ServiceEntries). Each endpoint of each of
/// the service's clusters is checked every <see cref="Interval"/> (plus up to <see cref="IntervalJitter"/>)
/// over the same connections and TLS as real traffic; <see cref="UnhealthyThreshold"/> consecutive
/// failures take it out of the load balancer, <see cref="HealthyThreshold"/> consecutive passes bring
/// it back. Combined with outlier detection: an endpoint is used only when neither marks it down, and
/// a passing check lets an endpoint that outlier detection ejected back in (as Envoy does).
/// </summary>
/// <remarks>
/// Set exactly one of <see cref="Http"/> and <see cref="Tcp"/>. Off unless
/// <see cref="ExternalServiceOptions.HealthCheck"/> is set. See <c>docs/active-health.md</c>.
/// </remarks>
public sealed class HealthCheckOptions
{
    /// <summary>Gets or sets the time between the end of one check of an endpoint and the start of the next.</summary>
    /// <value>Defaults to <see cref="HealthCheckDefaults.Interval"/> (10 seconds).</value>
    public TimeSpan Interval { get; set; } = HealthCheckDefaults.Interval;

    /// <summary>
    /// Gets or sets the most random time added to each <see cref="Interval"/> (and the most an endpoint's
    /// first check waits), so that the endpoints and the processes do not check all at once.
    /// </summary>
    /// <value>Defaults to <see cref="HealthCheckDefaults.IntervalJitter"/> (1 second); zero for none.</value>
    public TimeSpan IntervalJitter { get; set; } = HealthCheckDefaults.IntervalJitter;

    /// <summary>Gets or sets how long a check may take before it counts as a failure.</summary>
    /// <value>Defaults to <see cref="HealthCheckDefaults.Timeout"/> (5 seconds).</value>
    public TimeSpan Timeout { get; set; } = HealthCheckDefaults.Timeout;

    /// <summary>Gets or sets how many consecutive failed checks take a healthy endpoint out of the load balancer.</summary>
    /// <value>Defaults to <see cref="HealthCheckDefaults.UnhealthyThreshold"/> (3).</value>
    public int UnhealthyThreshold { get; set; } = HealthCheckDefaults.UnhealthyThreshold;

    /// <summary>Gets or sets how many consecutive passing checks bring an unhealthy endpoint back.</summary>
    /// <value>
    /// Defaults to <see cref="HealthCheckDefaults.HealthyThreshold"/> (2). An endpoint never checked
    /// before needs one pass, as in Envoy.
    /// </value>
    public int HealthyThreshold { get; set; } = HealthCheckDefaults.HealthyThreshold;

    /// <summary>
    /// Gets or sets whether a new endpoint (at start-up, from DNS or from a reload) is kept out of the
    /// load balancer until its first check passes.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="false"/>: a new endpoint takes traffic at once, and leaves when its
    /// checks fail <see cref="UnhealthyThreshold"/> times. With <see langword="true"/>, a service whose
    /// endpoints are all new answers 503 <c>UH</c> until a first check passes.
    /// </value>
    public bool NoTrafficUntilHealthy { get; set; }

    /// <summary>Gets or sets the HTTP check: a request whose status must be one of the expected ones.</summary>
    /// <value>Defaults to <see langword="null"/>; set this or <see cref="Tcp"/>.</value>
    public HttpHealthCheckOptions? Http { get; set; }

    /// <summary>Gets or sets the TCP check: the endpoint passes when a connection to it opens.</summary>
    /// <value>Defaults to <see langword="null"/>; set this or <see cref="Http"/>.</value>
    public TcpHealthCheckOptions? Tcp { get; set; }
}

/// <summary>
/// The HTTP check of <see cref="HealthCheckOptions"/>: a request to <see cref="Path"/> on the endpoint,
/// over the service's connection settings and TLS, with the service host as its Host.
/// </summary>
public sealed class HttpHealthCheckOptions
{
    /// <summary>Gets or sets the path (and query) requested.</summary>
    /// <value>Defaults to <c>/</c>.</value>
    public string Path { get; set; } = "/";

    /// <summary>Gets or sets the request method.</summary>
    /// <value>Defaults to <c>GET</c>.</value>
    public string Method { get; set; } = "GET";

    /// <summary>
    /// Gets the status ranges that pass the check, each from <see cref="HttpStatusRange.Start"/>
    /// (inclusive) to <see cref="HttpStatusRange.End"/> (exclusive), as Envoy's <c>expected_statuses</c>.
    /// </summary>
    /// <value>Empty by default, which means 200 only (Envoy's default).</value>
    public IList<HttpStatusRange> ExpectedStatuses { get; } = new List<HttpStatusRange>();

    /// <summary>Gets the request headers added to each check (not <c>Host</c>, which is the service host).</summary>
    /// <value>Empty by default.</value>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The TCP check of <see cref="HealthCheckOptions"/>: connect only (Envoy's TCP check with no payload).</summary>
public sealed class TcpHealthCheckOptions
{
}

/// <summary>A range of HTTP status codes, <see cref="Start"/> inclusive to <see cref="End"/> exclusive (Envoy's <c>Int64Range</c>).</summary>
public sealed class HttpStatusRange
{
    /// <summary>Initializes a new range (for configuration binding).</summary>
    public HttpStatusRange()
    {
    }

    /// <summary>Initializes a new range from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    /// <param name="start">The first status code in the range.</param>
    /// <param name="end">The first status code after the range.</param>
    public HttpStatusRange(int start, int end)
    {
        Start = start;
        End = end;
    }

    /// <summary>Gets or sets the first status code in the range.</summary>
    /// <value>100 to 599.</value>
    public int Start { get; set; }

    /// <summary>Gets or sets the first status code after the range.</summary>
    /// <value>Greater than <see cref="Start"/>, at most 600.</value>
    public int End { get; set; }
}

/// <summary>The defaults of <see cref="HealthCheckOptions"/>.</summary>
public static class HealthCheckDefaults
{
    /// <summary>Consecutive failures that take a healthy endpoint out: 3.</summary>
    public const int UnhealthyThreshold = 3;

    /// <summary>Consecutive passes that bring an unhealthy endpoint back: 2.</summary>
    public const int HealthyThreshold = 2;

    /// <summary>Gets the time between checks of an endpoint: 10 seconds.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the most random time added to each interval: 1 second.</summary>
    public static TimeSpan IntervalJitter { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the time a check may take: 5 seconds.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(5);
}
