using static MeshClient.Istio.Yaml.FieldSupport;
using static MeshClient.Istio.Yaml.Schema;

namespace MeshClient.Istio.Yaml;

/// <summary>
/// The Istio <c>networking.istio.io</c> API fields (istio/api <c>networking/v1alpha3/*.proto</c>) and
/// how MeshClient treats each one. A field missing here is reported as unknown.
/// </summary>
internal static class IstioSchemas
{
    private const string ProxyOnly = "it configures proxies inside the cluster; an application sees every service.";

    private static readonly Schema LabelMap = Map(Scalar);
    private static readonly Schema StringList = List(Scalar);
    private static readonly Schema PortSelector = Object(F("number"));
    private static readonly Schema StringMatch = Object(F("exact"), F("prefix"), F("regex"));
    private static readonly Schema Percent = Object(F("value"));
    private static readonly Schema Duration = Scalar;

    private static readonly Schema LoadBalancerDetails = Object(
        F("simple"),
        F("consistentHash", Object(
            F("httpHeaderName"),
            F("httpCookie", Object(F("name"), F("path"), F("ttl", Duration), F("attributes", List(Object(F("name"), F("value")))))),
            F("useSourceIp"),
            F("httpQueryParameterName"),
            F("ringHash", Object(F("minimumRingSize"))),
            F("maglev", Object(F("tableSize"))),
            F("minimumRingSize"))),
        F("localityLbSetting", Object(
            F("distribute", List(Object(F("from"), F("to", LabelMap)))),
            F("failover", List(Object(F("from"), F("to")))),
            F("failoverPriority", StringList),
            F("enabled"))),
        F("warmupDurationSecs", Duration),
        F("warmup", Object(F("duration", Duration), F("minimumPercent"), F("aggression"))),
        // Newest field (istio/api HEAD); its sub-fields are not modelled, so they are not checked.
        F("zoneAwareLbSetting", Any, NotSupported));

    private static readonly Schema ConnectionPool = Object(
        F("tcp", Object(
            F("maxConnections"),
            F("connectTimeout", Duration),
            F("tcpKeepalive", Object(F("probes"), F("time", Duration), F("interval", Duration))),
            F("maxConnectionDuration", Duration),
            F("idleTimeout", Duration))),
        F("http", Object(
            F("http1MaxPendingRequests"),
            F("http2MaxRequests"),
            F("maxRequestsPerConnection"),
            F("maxRetries"),
            F("idleTimeout", Duration),
            F("h2UpgradePolicy"),
            F("useClientProtocol"),
            F("maxConcurrentStreams", Scalar, NotSupported, "it cannot be applied: .NET's HTTP/2 client opens as many streams on a connection as the server's SETTINGS_MAX_CONCURRENT_STREAMS allows."),
            F("http2KeepAlive", Object(F("interval", Duration), F("timeout", Duration))))));

    private static readonly Schema OutlierDetection = Object(
        F("splitExternalLocalOriginErrors"),
        F("consecutiveLocalOriginFailures"),
        F("consecutiveGatewayErrors"),
        F("consecutive5xxErrors"),
        F("consecutiveErrors"),
        F("interval", Duration),
        F("baseEjectionTime", Duration),
        F("maxEjectionPercent"),
        F("minHealthPercent"),
        F("outlierDetectionHttpErrorCodes", List(Scalar)));

    private static readonly Schema ClientTls = Object(
        F("mode"),
        F("clientCertificate"),
        F("privateKey"),
        F("caCertificates"),
        F("credentialName"),
        F("subjectAltNames", StringList),
        F("sni"),
        F("insecureSkipVerify"),
        F("caCrl"));

    /// <summary>A port-level policy: <c>port</c>, <c>loadBalancer</c>, <c>connectionPool</c>, <c>outlierDetection</c> and <c>tls</c> are used.</summary>
    private static readonly Schema PortTrafficPolicy = Object(
        F("port", PortSelector),
        F("loadBalancer", LoadBalancerDetails),
        F("connectionPool", ConnectionPool),
        F("outlierDetection", OutlierDetection),
        F("tls", ClientTls));

    /// <summary>The DR-level traffic policy: <c>loadBalancer.simple</c>, <c>consistentHash</c>, <c>connectionPool</c>, <c>outlierDetection</c>, <c>tls</c> and <c>portLevelSettings[]</c> are used, the rest warned about.</summary>
    private static readonly Schema TrafficPolicy = Object(
        F("loadBalancer", LoadBalancerDetails),
        F("connectionPool", ConnectionPool),
        F("outlierDetection", OutlierDetection),
        F("tls", ClientTls),
        F("portLevelSettings", List(PortTrafficPolicy)),
        F("tunnel", Object(F("protocol"), F("targetHost"), F("targetPort")), NotSupported),
        F("proxyProtocol", Object(F("version"))),
        F("retryBudget", Object(F("percent", Percent), F("minRetryConcurrency"))));

    private static readonly Schema Destination = Object(F("host"), F("subset"), F("port", PortSelector));

    private static readonly Schema HeaderOperations = Object(F("set", LabelMap), F("add", LabelMap), F("remove", StringList));

    private static readonly Schema Headers = Object(F("request", HeaderOperations), F("response", HeaderOperations));

    private static readonly Schema HttpMatch = Object(
        F("name"),
        F("uri", StringMatch),
        F("scheme", StringMatch),
        F("method", StringMatch),
        F("authority", StringMatch),
        F("headers", Map(StringMatch)),
        F("port"),
        F("sourceLabels", LabelMap),
        F("gateways", StringList),
        F("queryParams", Map(StringMatch)),
        F("ignoreUriCase"),
        F("withoutHeaders", Map(StringMatch)),
        F("sourceNamespace"),
        F("statPrefix", Scalar, NotApplicable, "it names Envoy's per-route statistics; MeshClient's metrics are per service and cluster, with Istio's labels."));

    private static readonly Schema HttpRoute = Object(
        F("name"),
        F("match", List(HttpMatch)),
        F("route", List(Object(F("destination", Destination), F("weight"), F("headers", Headers)))),
        F("redirect", Object(F("uri"), F("prefixRewrite"), F("authority"), F("port"), F("derivePort"), F("scheme"), F("redirectCode"))),
        F("directResponse", Object(F("status"), F("body", Object(F("string"), F("bytes"))))),
        F("delegate", Object(F("name"), F("namespace")), NotSupported),
        F("rewrite", Object(F("uri"), F("authority"), F("uriRegexRewrite", Object(F("match"), F("rewrite"))))),
        F("timeout", Duration),
        F("retries", Object(F("attempts"), F("perTryTimeout", Duration), F("retryOn"), F("retryRemoteLocalities"), F("retryIgnorePreviousHosts"), F("backoff", Duration))),
        F("fault", Object(
            F("delay", Object(F("fixedDelay", Duration), F("exponentialDelay", Duration, NotSupported), F("percentage", Percent), F("percent"))),
            F("abort", Object(F("httpStatus"), F("grpcStatus"), F("http2Error", Scalar, NotSupported), F("percentage", Percent))))),
        F("mirror", Destination),
        F("mirrors", List(Object(F("destination", Destination), F("percentage", Percent)))),
        F("mirrorPercentage", Percent),
        F("mirrorPercent", Scalar),
        F("corsPolicy", Object(
            F("allowOrigins", List(StringMatch)),
            F("allowOrigin", StringList),
            F("allowMethods", StringList),
            F("allowHeaders", StringList),
            F("exposeHeaders", StringList),
            F("maxAge", Duration),
            F("allowCredentials"),
            F("unmatchedPreflights")), NotApplicable, "CORS answers browsers' preflight requests and adds CORS headers for browsers; the calls of this application are not a browser's."),
        F("headers", Headers));

    private static readonly Schema RouteDestination = Object(F("destination", Destination), F("weight"));

    private static readonly Schema L4Match = Object(
        F("sniHosts", StringList),
        F("destinationSubnets", StringList),
        F("port"),
        F("sourceLabels", LabelMap),
        F("gateways", StringList),
        F("sourceNamespace"),
        F("sourceSubnet"));

    /// <summary>Istio <c>ServiceEntry.spec</c>: every field is mapped (workloadSelector is validated, then warned about by the mapper).</summary>
    public static readonly Schema ServiceEntrySpec = Object(
        F("hosts", StringList),
        F("addresses", StringList),
        F("ports", List(Object(F("number"), F("protocol"), F("name"), F("targetPort")))),
        F("location"),
        F("resolution"),
        F("endpoints", List(Object(F("address"), F("ports", LabelMap), F("labels", LabelMap), F("network"), F("locality"), F("weight"), F("serviceAccount")))),
        F("workloadSelector", Object(F("labels", LabelMap))),
        F("exportTo", StringList),
        F("subjectAltNames", StringList));

    /// <summary>Istio <c>DestinationRule.spec</c>.</summary>
    public static readonly Schema DestinationRuleSpec = Object(
        F("host"),
        F("trafficPolicy", TrafficPolicy),
        F("subsets", List(Object(F("name"), F("labels", LabelMap), F("trafficPolicy", TrafficPolicy)))),
        F("exportTo", StringList, NotApplicable, ProxyOnly),
        F("workloadSelector", Object(F("matchLabels", LabelMap)), NotApplicable, "it selects workloads inside the cluster; the rule applies to this application."));

    /// <summary>Istio <c>VirtualService.spec</c>: the HTTP routes are mapped (timeouts and retries included); TLS and TCP routes are not supported.</summary>
    public static readonly Schema VirtualServiceSpec = Object(
        F("hosts", StringList),
        F("gateways", StringList, NotApplicable, "it binds the routes to gateways or to the sidecars inside the cluster."),
        F("http", List(HttpRoute)),
        F("tls", List(Object(F("match", List(L4Match)), F("route", List(RouteDestination)))), NotSupported),
        F("tcp", List(Object(F("match", List(L4Match)), F("route", List(RouteDestination)))), NotSupported),
        F("exportTo", StringList, NotApplicable, ProxyOnly));

    /// <summary>Istio <c>Sidecar.spec</c>: <c>outboundTrafficPolicy.mode</c> is mapped mesh-wide.</summary>
    public static readonly Schema SidecarSpec = Object(
        F("workloadSelector", Object(F("labels", LabelMap)), NotApplicable, "it selects workloads inside the cluster; the Sidecar applies to this whole application."),
        F("ingress", List(Object(
            F("port", Object(F("number"), F("protocol"), F("name"), F("targetPort"))),
            F("bind"),
            F("captureMode"),
            F("defaultEndpoint"),
            F("tls", Any),
            F("connectionPool", ConnectionPool))), NotApplicable, "MeshClient handles outbound calls only."),
        F("egress", List(Object(
            F("port", Object(F("number"), F("protocol"), F("name"), F("targetPort"))),
            F("bind"),
            F("captureMode"),
            F("hosts", StringList))), NotSupported),
        F("outboundTrafficPolicy", Object(
            F("mode"),
            F("egressProxy", Destination))),
        F("inboundConnectionPool", ConnectionPool, NotApplicable, "MeshClient handles outbound calls only."));

    /// <summary>MeshClient's <c>HealthCheckPolicy.spec</c> (<c>meshclient.io/v1alpha1</c>): active health checks for a host.</summary>
    public static readonly Schema HealthCheckPolicySpec = Object(
        F("host"),
        F("interval"),
        F("intervalJitter"),
        F("timeout"),
        F("unhealthyThreshold"),
        F("healthyThreshold"),
        F("noTrafficUntilHealthy"),
        F("http", Object(F("path"), F("method"), F("expectedStatuses", List(Object(F("start"), F("end")))), F("headers", LabelMap))),
        F("tcp", Object()));

    private static Field F(string name, Schema? schema = null, FieldSupport support = Used, string? detail = null) =>
        new(name, schema ?? Scalar, support, detail);
}
