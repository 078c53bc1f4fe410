namespace MeshClient.Configuration;

/// <summary>
/// The one place where Istio's spellings (<c>DNS_ROUND_ROBIN</c>, <c>REGISTRY_ONLY</c>, <c>GRPC-Web</c>…)
/// meet MeshClient's enums, in both directions.
/// </summary>
public static class IstioNames
{
    /// <summary>Gets the Istio spelling of a resolution mode.</summary>
    /// <param name="value">The resolution.</param>
    /// <returns>For example <c>DNS_ROUND_ROBIN</c>.</returns>
    public static string Format(ServiceResolution value) => value switch
    {
        ServiceResolution.None => "NONE",
        ServiceResolution.Static => "STATIC",
        ServiceResolution.Dns => "DNS",
        ServiceResolution.DnsRoundRobin => "DNS_ROUND_ROBIN",
        ServiceResolution.DynamicDns => "DYNAMIC_DNS",
        _ => value.ToString(),
    };

    /// <summary>Gets the Istio spelling of a location.</summary>
    /// <param name="value">The location.</param>
    /// <returns><c>MESH_EXTERNAL</c> or <c>MESH_INTERNAL</c>.</returns>
    public static string Format(ServiceLocation value) =>
        value == ServiceLocation.MeshInternal ? "MESH_INTERNAL" : "MESH_EXTERNAL";

    /// <summary>Gets the Istio spelling of an outbound traffic policy mode.</summary>
    /// <param name="value">The mode.</param>
    /// <returns><c>ALLOW_ANY</c> or <c>REGISTRY_ONLY</c>.</returns>
    public static string Format(OutboundTrafficPolicy value) =>
        value == OutboundTrafficPolicy.RegistryOnly ? "REGISTRY_ONLY" : "ALLOW_ANY";

    /// <summary>Gets the Istio spelling of a load-balancing algorithm.</summary>
    /// <param name="value">The algorithm.</param>
    /// <returns>For example <c>ROUND_ROBIN</c>.</returns>
    public static string Format(LoadBalancerAlgorithm value) => value switch
    {
        LoadBalancerAlgorithm.Unspecified => "UNSPECIFIED",
        LoadBalancerAlgorithm.RoundRobin => "ROUND_ROBIN",
        LoadBalancerAlgorithm.LeastRequest => "LEAST_REQUEST",
        LoadBalancerAlgorithm.Random => "RANDOM",
        LoadBalancerAlgorithm.Passthrough => "PASSTHROUGH",
        LoadBalancerAlgorithm.PeakEwma => "PEAK_EWMA",
        _ => value.ToString(),
    };

    /// <summary>Gets the Istio spelling of a port protocol.</summary>
    /// <param name="value">The protocol.</param>
    /// <returns>For example <c>GRPC-Web</c>; empty for <see cref="ServiceProtocol.Unspecified"/>.</returns>
    public static string Format(ServiceProtocol value) => value switch
    {
        ServiceProtocol.Unspecified => string.Empty,
        ServiceProtocol.GrpcWeb => "GRPC-Web",
        ServiceProtocol.HttpProxy => "HTTP_PROXY",
        _ => value.ToString().ToUpperInvariant(),
    };

    /// <summary>Parses an Istio resolution (<c>NONE</c>, <c>STATIC</c>, <c>DNS</c>, <c>DNS_ROUND_ROBIN</c>, <c>DYNAMIC_DNS</c>).</summary>
    /// <param name="text">The Istio spelling (exact, as in the Istio CRD).</param>
    /// <param name="value">The resolution.</param>
    /// <returns><see langword="true"/> when the text is an Istio resolution.</returns>
    public static bool TryParseResolution(string? text, out ServiceResolution value)
    {
        switch (text)
        {
            case "NONE": value = ServiceResolution.None; return true;
            case "STATIC": value = ServiceResolution.Static; return true;
            case "DNS": value = ServiceResolution.Dns; return true;
            case "DNS_ROUND_ROBIN": value = ServiceResolution.DnsRoundRobin; return true;
            case "DYNAMIC_DNS": value = ServiceResolution.DynamicDns; return true;
            default: value = default; return false;
        }
    }

    /// <summary>Parses an Istio location (<c>MESH_EXTERNAL</c>, <c>MESH_INTERNAL</c>).</summary>
    /// <param name="text">The Istio spelling.</param>
    /// <param name="value">The location.</param>
    /// <returns><see langword="true"/> when the text is an Istio location.</returns>
    public static bool TryParseLocation(string? text, out ServiceLocation value)
    {
        switch (text)
        {
            case "MESH_EXTERNAL": value = ServiceLocation.MeshExternal; return true;
            case "MESH_INTERNAL": value = ServiceLocation.MeshInternal; return true;
            default: value = default; return false;
        }
    }

    /// <summary>Parses an Istio outbound traffic policy mode (<c>ALLOW_ANY</c>, <c>REGISTRY_ONLY</c>).</summary>
    /// <param name="text">The Istio spelling.</param>
    /// <param name="value">The mode.</param>
    /// <returns><see langword="true"/> when the text is a supported mode.</returns>
    public static bool TryParseOutboundTrafficPolicy(string? text, out OutboundTrafficPolicy value)
    {
        switch (text)
        {
            case "ALLOW_ANY": value = OutboundTrafficPolicy.AllowAny; return true;
            case "REGISTRY_ONLY": value = OutboundTrafficPolicy.RegistryOnly; return true;
            default: value = default; return false;
        }
    }

    /// <summary>
    /// Parses an Istio simple load-balancing algorithm; <c>LEAST_CONN</c> is the deprecated alias of
    /// <c>LEAST_REQUEST</c>, and <c>PEAK_EWMA</c> is MeshClient's extension (see <see cref="IsExtension"/>).
    /// </summary>
    /// <param name="text">The Istio spelling.</param>
    /// <param name="value">The algorithm.</param>
    /// <returns><see langword="true"/> when the text is an Istio algorithm.</returns>
    public static bool TryParseLoadBalancer(string? text, out LoadBalancerAlgorithm value)
    {
        switch (text)
        {
            case "UNSPECIFIED": value = LoadBalancerAlgorithm.Unspecified; return true;
            case "ROUND_ROBIN": value = LoadBalancerAlgorithm.RoundRobin; return true;
            case "LEAST_REQUEST":
            case "LEAST_CONN": value = LoadBalancerAlgorithm.LeastRequest; return true;
            case "RANDOM": value = LoadBalancerAlgorithm.Random; return true;
            case "PASSTHROUGH": value = LoadBalancerAlgorithm.Passthrough; return true;
            case "PEAK_EWMA": value = LoadBalancerAlgorithm.PeakEwma; return true;
            default: value = default; return false;
        }
    }

    /// <summary>Gets whether an algorithm is a MeshClient extension that Istio itself rejects (<c>PEAK_EWMA</c>).</summary>
    /// <param name="value">The algorithm.</param>
    /// <returns><see langword="true"/> for <see cref="LoadBalancerAlgorithm.PeakEwma"/>.</returns>
    public static bool IsExtension(LoadBalancerAlgorithm value) => value == LoadBalancerAlgorithm.PeakEwma;

    /// <summary>
    /// Parses an Istio port protocol, case-insensitively as Istio does; the empty string is
    /// <see cref="ServiceProtocol.Unspecified"/>.
    /// </summary>
    /// <param name="text">The Istio spelling, for example <c>http</c>, <c>HTTP2</c> or <c>GRPC-Web</c>.</param>
    /// <param name="value">The protocol.</param>
    /// <returns><see langword="true"/> when the text is an Istio protocol.</returns>
    public static bool TryParseProtocol(string? text, out ServiceProtocol value)
    {
        switch (text?.ToUpperInvariant())
        {
            case null or "": value = ServiceProtocol.Unspecified; return true;
            case "HTTP": value = ServiceProtocol.Http; return true;
            case "HTTPS": value = ServiceProtocol.Https; return true;
            case "GRPC": value = ServiceProtocol.Grpc; return true;
            case "GRPC-WEB": value = ServiceProtocol.GrpcWeb; return true;
            case "HTTP2": value = ServiceProtocol.Http2; return true;
            case "MONGO": value = ServiceProtocol.Mongo; return true;
            case "REDIS": value = ServiceProtocol.Redis; return true;
            case "MYSQL": value = ServiceProtocol.Mysql; return true;
            case "TCP": value = ServiceProtocol.Tcp; return true;
            case "TLS": value = ServiceProtocol.Tls; return true;
            case "UDP": value = ServiceProtocol.Udp; return true;
            case "HTTP_PROXY": value = ServiceProtocol.HttpProxy; return true;
            default: value = default; return false;
        }
    }

    /// <summary>Gets the Istio spelling of a TLS mode.</summary>
    /// <param name="value">The mode.</param>
    /// <returns><c>DISABLE</c>, <c>SIMPLE</c>, <c>MUTUAL</c> or <c>ISTIO_MUTUAL</c>.</returns>
    public static string Format(TlsMode value) => value switch
    {
        TlsMode.Disable => "DISABLE",
        TlsMode.Simple => "SIMPLE",
        TlsMode.Mutual => "MUTUAL",
        TlsMode.IstioMutual => "ISTIO_MUTUAL",
        _ => value.ToString(),
    };

    /// <summary>Parses an Istio TLS mode (<c>DISABLE</c>, <c>SIMPLE</c>, <c>MUTUAL</c>, <c>ISTIO_MUTUAL</c>).</summary>
    /// <param name="text">The Istio spelling.</param>
    /// <param name="value">The mode.</param>
    /// <returns><see langword="true"/> when the text is an Istio TLS mode.</returns>
    public static bool TryParseTlsMode(string? text, out TlsMode value)
    {
        switch (text)
        {
            case "DISABLE": value = TlsMode.Disable; return true;
            case "SIMPLE": value = TlsMode.Simple; return true;
            case "MUTUAL": value = TlsMode.Mutual; return true;
            case "ISTIO_MUTUAL": value = TlsMode.IstioMutual; return true;
            default: value = default; return false;
        }
    }

    /// <summary>Formats an HTTP/2 upgrade policy as Istio spells it (<c>UPGRADE</c>).</summary>
    /// <param name="value">The policy.</param>
    /// <returns>The Istio spelling.</returns>
    public static string Format(H2UpgradePolicy value) => value switch
    {
        H2UpgradePolicy.Default => "DEFAULT",
        H2UpgradePolicy.DoNotUpgrade => "DO_NOT_UPGRADE",
        H2UpgradePolicy.Upgrade => "UPGRADE",
        _ => value.ToString(),
    };

    /// <summary>Parses an Istio HTTP/2 upgrade policy (<c>DEFAULT</c>, <c>DO_NOT_UPGRADE</c>, <c>UPGRADE</c>).</summary>
    /// <param name="text">The Istio spelling.</param>
    /// <param name="value">The policy.</param>
    /// <returns><see langword="true"/> when the text is an Istio HTTP/2 upgrade policy.</returns>
    public static bool TryParseH2UpgradePolicy(string? text, out H2UpgradePolicy value)
    {
        switch (text)
        {
            case "DEFAULT": value = H2UpgradePolicy.Default; return true;
            case "DO_NOT_UPGRADE": value = H2UpgradePolicy.DoNotUpgrade; return true;
            case "UPGRADE": value = H2UpgradePolicy.Upgrade; return true;
            default: value = default; return false;
        }
    }
}
