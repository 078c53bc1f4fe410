namespace MeshClient.Configuration;

/// <summary>Mesh-wide settings and the registry of external services.</summary>
public sealed class MeshOptions
{
    /// <summary>Gets or sets what happens to requests for hosts that no service declares.</summary>
    /// <value>
    /// Defaults to <see cref="OutboundTrafficPolicy.AllowAny"/> (Istio
    /// <c>outboundTrafficPolicy.mode: ALLOW_ANY</c>).
    /// </value>
    public OutboundTrafficPolicy OutboundTrafficPolicy { get; set; }

    /// <summary>
    /// Gets or sets the registered service that requests for unknown hosts are sent to under
    /// <see cref="OutboundTrafficPolicy.AllowAny"/>, instead of straight to the requested host: they go to
    /// that service's endpoints (its port and subset), unchanged — their URI, <c>Host</c> header and, for
    /// <c>https://</c>, TLS with the requested host's name end to end — with that cluster's connection
    /// pool, outlier detection and statistics, no retries and the default timeout, as Istio's passthrough.
    /// The service must accept such requests (a transparent or SNI proxy, an egress gateway); for an HTTP
    /// forward proxy (absolute URIs, <c>CONNECT</c>) use <see cref="EgressProxy"/> instead.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: unknown hosts are reached directly (Istio Sidecar
    /// <c>outboundTrafficPolicy.egressProxy</c>). Its <see cref="DestinationOptions.Host"/> must be a host
    /// of a registered service; <see cref="DestinationOptions.Port"/> is required when that service has more
    /// than one port.
    /// </value>
    public DestinationOptions? PassthroughDestination { get; set; }

    /// <summary>Gets or sets how a request that the mesh ended is reported.</summary>
    /// <value>Defaults to <see cref="MeshFailureMode.Response"/>: Envoy-compatible responses.</value>
    public MeshFailureMode FailureMode { get; set; }

    /// <summary>
    /// Gets or sets whether mesh clients follow redirects (<c>3xx</c> with a <c>Location</c>), as
    /// <see cref="HttpClientHandler.AllowAutoRedirect"/> does for a client without the mesh. Each hop
    /// is a new request through the mesh — registry lookup, outbound policy, endpoints, route
    /// timeout — as each would be through a sidecar. HTTPS to HTTP redirects are never followed and
    /// the <c>Authorization</c> header is not sent on to the next hop.
    /// </summary>
    /// <value>Defaults to <see langword="true"/>, as <see cref="HttpClientHandler"/>.</value>
    public bool AllowAutoRedirect { get; set; } = true;

    /// <summary>Gets or sets how many redirects one request follows before the last <c>3xx</c> response is returned.</summary>
    /// <value>Defaults to 50, as <see cref="HttpClientHandler.MaxAutomaticRedirections"/>; must be greater than 0.</value>
    public int MaxAutomaticRedirections { get; set; } = 50;

    /// <summary>
    /// Gets the request headers removed when a followed redirect leads to another host (scheme, host or
    /// port), in addition to <c>Authorization</c>, which is always removed. Without the mesh,
    /// <see cref="HttpClientHandler"/> forwards every other header to the next host — including a
    /// <c>Cookie</c> header the application set and custom API-key headers; list them here to keep
    /// them from reaching another host.
    /// </summary>
    /// <value>Empty by default (as <see cref="HttpClientHandler"/>). Names are case-insensitive, for example <c>Cookie</c>, <c>X-Api-Key</c>.</value>
    public IList<string> RedirectRemovedHeaders { get; } = new List<string>();

    /// <summary>
    /// Gets or sets whether the mesh owns the timeout of mesh clients, as Microsoft's resilience
    /// handler does: a mesh client whose <see cref="HttpClient.Timeout"/> is still the default
    /// (100 seconds) gets <see cref="Timeout.InfiniteTimeSpan"/>, so that it cannot cut short what
    /// the mesh does (route timeouts, retries), and the mesh bounds every request by its route's
    /// timeout, or <see cref="DefaultTimeout"/> when the route has none. A timeout the application set
    /// on the client itself is kept.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="true"/>. With <see langword="false"/>, <see cref="HttpClient.Timeout"/>
    /// is left alone (it then bounds the whole request, including every attempt the mesh makes) and
    /// only route timeouts apply.
    /// </value>
    public bool ManageHttpClientTimeout { get; set; } = true;

    /// <summary>
    /// Gets or sets how long the mesh waits for the response headers of a request whose route sets
    /// no timeout of its own (Istio <c>http[].timeout</c>), when <see cref="ManageHttpClientTimeout"/> is on.
    /// Expiry gives Envoy's 504 <c>UT</c> (or a <see cref="MeshTimeoutException"/>).
    /// </summary>
    /// <value>
    /// Defaults to 100 seconds, <see cref="HttpClient.Timeout"/>'s own default, so that a client put
    /// on the mesh keeps its bound. <see langword="null"/> means no timeout, as in Istio. At least
    /// 1 ms, in whole milliseconds.
    /// </value>
    /// <remarks>
    /// Like route timeouts, it bounds the wait for the response headers; reading the body afterwards
    /// is bounded by the caller's cancellation token (and by <see cref="HttpClient.Timeout"/>, when the
    /// application sets one).
    /// </remarks>
    public TimeSpan? DefaultTimeout { get; set; } = MeshDefaults.HttpClientTimeout;

    /// <summary>
    /// Gets or sets how many mirrored copies (Istio <c>mirror</c>) may be in flight at once; a copy
    /// beyond it is dropped and counted, so that a slow mirror never piles up work.
    /// </summary>
    /// <value>Defaults to 64. At least 1.</value>
    public int MaxConcurrentMirrors { get; set; } = MeshDefaults.MaxConcurrentMirrors;

    /// <summary>
    /// Gets or sets the largest request body a mirrored copy carries: a larger body (or a one-shot
    /// stream of unknown length) is not copied, and that request is not mirrored.
    /// </summary>
    /// <value>Defaults to 1 MiB. At least 0 (0 mirrors only requests without a body).</value>
    public int MaxMirroredBodyBytes { get; set; } = MeshDefaults.MaxMirroredBodyBytes;

    /// <summary>
    /// Gets or sets the directory under which a <see cref="TlsOptions.CredentialName"/> that is a name (not
    /// an absolute path) is found: <c>{CredentialsDirectory}/{credentialName}/tls.crt</c> and so on, the
    /// layout of Kubernetes TLS secrets mounted as volumes.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the application's current directory.</value>
    public string? CredentialsDirectory { get; set; }

    /// <summary>
    /// Gets or sets how often the certificate, key, CA and CRL files of TLS settings are checked for
    /// changes; a change gives the affected endpoints new connection pools (connections open with the
    /// old material finish their requests and close).
    /// </summary>
    /// <value>Defaults to 10 seconds; at least 1 second.</value>
    public TimeSpan CertificateRefreshInterval { get; set; } = MeshDefaults.CertificateRefreshInterval;

    /// <summary>
    /// Gets or sets the retry policy of routes that set none (Istio MeshConfig <c>defaultHttpRetryPolicy</c>).
    /// Unknown hosts (the passthrough route) are never retried, as in Istio.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: Istio's built-in default, 2 retries on
    /// <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c> with no status codes
    /// (Istio 1.24 and later; earlier versions also retried 503). <c>Attempts = 0</c> turns default retries off.
    /// </value>
    public HttpRetryOptions? DefaultRetryPolicy { get; set; }

    /// <summary>
    /// Gets how endpoints are resolved by DNS (resolutions <c>DNS</c>, <c>DNS_ROUND_ROBIN</c> and
    /// <c>DYNAMIC_DNS</c>): the name servers, the refresh rates, the address family.
    /// </summary>
    /// <value>Istio's defaults; <c>Mesh:Dns</c> in configuration.</value>
    public DnsOptions Dns { get; } = new();

    /// <summary>Gets the telemetry settings: metric names and labels, trace propagation, request ids.</summary>
    /// <value>OpenTelemetry-style metrics, W3C propagation and generated <c>x-request-id</c>s; <c>Mesh:Telemetry</c> in configuration.</value>
    public MeshTelemetryOptions Telemetry { get; } = new();

    /// <summary>
    /// Gets or sets the HTTP forward proxy that every external service's calls leave through, except
    /// services with their own <see cref="ExternalServiceOptions.EgressProxy"/>, hosts in
    /// <see cref="EgressProxyOptions.NoProxy"/> and services located <see cref="ServiceLocation.MeshInternal"/>.
    /// Unknown hosts under ALLOW_ANY (the passthrough) go through it too, except those in
    /// <see cref="EgressProxyOptions.NoProxy"/>, which go direct; without a mesh-wide proxy they keep
    /// the environment's proxy (<c>HTTP_PROXY</c>, <c>HTTPS_PROXY</c>, <c>NO_PROXY</c>).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no proxy. A MeshClient extension; see <c>docs/egress-gateway.md</c>.</value>
    public EgressProxyOptions? EgressProxy { get; set; }

    /// <summary>
    /// Gets or sets the client's own locality, <c>region/zone/subzone</c> (zone and subzone optional), the
    /// locality an Istio sidecar learns from its node's <c>topology.kubernetes.io/region</c> and
    /// <c>topology.kubernetes.io/zone</c> labels. Locality load balancing
    /// (<see cref="LoadBalancerOptions.LocalityLbSetting"/>) prefers the endpoints nearest to it.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: no locality. MeshClient does not discover it, in Kubernetes or
    /// elsewhere: set it (for example from the node's labels through the downward API or an environment
    /// variable). Without it, as for an Istio proxy without locality, endpoints without a locality come first.
    /// </value>
    public string? Locality { get; set; }

    /// <summary>
    /// Gets the client's labels (an Istio workload's labels), compared with the endpoints' labels by
    /// <see cref="LocalityLoadBalancerOptions.FailoverPriority"/>. The locality labels
    /// (<c>topology.kubernetes.io/region</c>, <c>topology.kubernetes.io/zone</c>, <c>topology.istio.io/subzone</c>)
    /// are added from <see cref="Locality"/> unless set here, as Istio adds them.
    /// </summary>
    /// <value>Empty by default.</value>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the external services of the mesh.</summary>
    /// <value>Empty by default; <c>AddMeshExternalService</c> and configuration sources add to it.</value>
    public IList<ExternalServiceOptions> ExternalServices { get; } = new List<ExternalServiceOptions>();

    /// <summary>
    /// Gets the findings that configuration sources report while reading their input (for example
    /// a YAML syntax error or an ignored field). Errors among them fail validation like any other.
    /// </summary>
    /// <value>Empty by default.</value>
    public IList<MeshConfigurationDiagnostic> SourceDiagnostics { get; } = new List<MeshConfigurationDiagnostic>();
}
