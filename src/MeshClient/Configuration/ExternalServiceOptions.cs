namespace MeshClient.Configuration;

/// <summary>
/// An external service: the hosts it answers for, its ports and how its endpoints are found
/// (an Istio <c>ServiceEntry</c>), plus the traffic policy for calls to it.
/// </summary>
public sealed class ExternalServiceOptions
{
    /// <summary>Gets or sets the name used in messages and metrics.</summary>
    /// <value>Defaults to the first host (Istio <c>metadata.name</c>).</value>
    public string? Name { get; set; }

    /// <summary>
    /// Gets or sets where the definition came from, such as <c>mesh/se.yaml:12:1</c>; validation
    /// messages start with it.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (set by configuration sources).</value>
    public string? Source { get; set; }

    /// <summary>
    /// Gets the host names the service answers for. A leading <c>*.</c> label is a wildcard that
    /// matches any name ending with the rest, at any depth, but not the rest itself.
    /// </summary>
    /// <value>At least one is required (Istio <c>hosts</c>).</value>
    public IList<string> Hosts { get; } = new List<string>();

    /// <summary>Gets the virtual IPs or CIDR blocks of the service.</summary>
    /// <value>Empty by default (Istio <c>addresses</c>).</value>
    public IList<string> Addresses { get; } = new List<string>();

    /// <summary>Gets the ports of the service; a request matches only a declared port.</summary>
    /// <value>Empty by default (Istio <c>ports</c>).</value>
    public IList<ServicePortOptions> Ports { get; } = new List<ServicePortOptions>();

    /// <summary>Gets or sets whether the service is outside the mesh.</summary>
    /// <value>Defaults to <see cref="ServiceLocation.MeshExternal"/> (Istio <c>location</c>).</value>
    public ServiceLocation Location { get; set; }

    /// <summary>Gets or sets how the endpoints are found.</summary>
    /// <value>
    /// Defaults to <see cref="ServiceResolution.None"/>, as in Istio (Istio <c>resolution</c>):
    /// set <see cref="ServiceResolution.Static"/> to load-balance across <see cref="Endpoints"/>.
    /// </value>
    public ServiceResolution Resolution { get; set; }

    /// <summary>
    /// Gets or sets the name of the <see cref="Discovery.IMeshEndpointResolver"/> that resolves this
    /// service's names instead of DNS (resolutions <see cref="ServiceResolution.Dns"/>,
    /// <see cref="ServiceResolution.DnsRoundRobin"/> and <see cref="ServiceResolution.DynamicDns"/>).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: DNS, on <see cref="MeshOptions.Dns"/>. A MeshClient extension (no Istio field).</value>
    public string? Resolver { get; set; }

    /// <summary>Gets the endpoints of the service.</summary>
    /// <value>Empty by default (Istio <c>endpoints</c>).</value>
    public IList<ServiceEndpointOptions> Endpoints { get; } = new List<ServiceEndpointOptions>();

    /// <summary>Gets the namespaces the service is visible to; empty means all.</summary>
    /// <value>Empty by default (Istio <c>exportTo</c>). Kept for fidelity; an application sees every service.</value>
    public IList<string> ExportTo { get; } = new List<string>();

    /// <summary>Gets the subject alternative names the server certificate must carry.</summary>
    /// <value>Empty by default (Istio <c>subjectAltNames</c>).</value>
    public IList<string> SubjectAltNames { get; } = new List<string>();

    /// <summary>Gets or sets the traffic policy for calls to this service.</summary>
    /// <value>Defaults to an empty policy (Istio <c>DestinationRule.trafficPolicy</c>).</value>
    public TrafficPolicyOptions TrafficPolicy { get; set; } = new();

    /// <summary>
    /// Gets or sets the active health checks of the service's endpoints (a MeshClient extension; in
    /// YAML, a <c>HealthCheckPolicy</c> of <c>meshclient.io/v1alpha1</c> for the service's host).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no active checks, as in Istio.</value>
    public HealthCheckOptions? HealthCheck { get; set; }

    /// <summary>
    /// Gets or sets the service's default route: the shorthand for one catch-all route to the whole
    /// service (today its timeout). Used when <see cref="Http"/> is empty.
    /// </summary>
    /// <value>Defaults to an empty route: the mesh's default timeout.</value>
    public RouteOptions Route { get; set; } = new();

    /// <summary>
    /// Gets the named endpoint subsets that routes can send to, each its own cluster with its own
    /// traffic policy (Istio <c>DestinationRule.subsets</c>).
    /// </summary>
    /// <value>Empty by default.</value>
    public IList<SubsetOptions> Subsets { get; } = new List<SubsetOptions>();

    /// <summary>
    /// Gets the ordered HTTP routes for requests to this service's hosts (Istio
    /// <c>VirtualService.http</c>): the first whose match holds decides; a request no route matches
    /// gets Envoy's 404 <c>NR</c>. Empty means one catch-all route to the whole service (<see cref="Route"/>).
    /// </summary>
    /// <value>Empty by default.</value>
    public IList<HttpRouteOptions> Http { get; } = new List<HttpRouteOptions>();

    /// <summary>
    /// Gets or sets the fallback to cache: when set, successful responses are cached and served when the
    /// service fails (a MeshClient extension; YAML <c>kind: FallbackPolicy</c>).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no fallback.</value>
    public FallbackOptions? Fallback { get; set; }

    /// <summary>
    /// Gets or sets the trace-context headers sent to this service, instead of the mesh's
    /// (<see cref="MeshTelemetryOptions.Propagation"/>). <see cref="Configuration.TracePropagation.None"/>
    /// sends no trace ids and no generated <c>x-request-id</c>: for external parties that should not see them.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the mesh's setting.</value>
    public TracePropagation? TracePropagation { get; set; }

    /// <summary>
    /// Gets or sets the HTTP forward proxy this service's calls go through; it replaces
    /// <see cref="MeshOptions.EgressProxy"/> for this service (its <see cref="EgressProxyOptions.NoProxy"/> is not used).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the mesh-wide proxy, if any. A MeshClient extension.</value>
    public EgressProxyOptions? EgressProxy { get; set; }

    internal string DisplayName => Name ?? (Hosts.Count > 0 ? Hosts[0] : "(unnamed)");
}
