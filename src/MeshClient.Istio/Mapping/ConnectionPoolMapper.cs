using System.Globalization;
using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>trafficPolicy.connectionPool</c> into <see cref="ConnectionPoolOptions"/> with Istio's
/// translation (ISTIO-SEMANTICS.md §3.2: a count of 0 keeps the default, unlimited) and Istio's
/// validation (<c>validateConnectionPool</c>), each problem at its <c>file:line</c>. A value in error
/// is left at its default. <c>maxConcurrentStreams</c> is validated and warned about by the schema (not applied).
/// </summary>
internal static class ConnectionPoolMapper
{
    public static ConnectionPoolOptions? Map(ObjectReader reader, YamlMappingNode policy, string policyPath)
    {
        var path = policyPath + ".connectionPool";
        if (reader.Mapping(policy, "connectionPool", path) is not { } block)
        {
            return null;
        }

        var options = new ConnectionPoolOptions();
        var tcp = reader.Mapping(block, "tcp", path + ".tcp");
        var http = reader.Mapping(block, "http", path + ".http");
        if (tcp is null && http is null)
        {
            reader.Error(block, path, $"{path}: Invalid value: connection pool must have at least one field.");
            return null;
        }

        if (tcp is not null)
        {
            MapTcp(reader, tcp, path + ".tcp", options.Tcp);
        }

        if (http is not null)
        {
            MapHttp(reader, http, path + ".http", options.Http);
        }

        return options;
    }

    private static void MapTcp(ObjectReader reader, YamlMappingNode tcp, string path, TcpConnectionPoolOptions options)
    {
        options.MaxConnections = Count(reader, tcp, "maxConnections", path, "max connections") ?? 0;
        if (IstioFields.Duration(reader, tcp, "connectTimeout", path, allowZero: false) is { } connectTimeout)
        {
            options.ConnectTimeout = connectTimeout;
        }

        options.MaxConnectionDuration = IstioFields.Duration(reader, tcp, "maxConnectionDuration", path, allowZero: false);
        options.IdleTimeout = IstioFields.Duration(reader, tcp, "idleTimeout", path, allowZero: true);
        var keepalivePath = path + ".tcpKeepalive";
        if (reader.Mapping(tcp, "tcpKeepalive", keepalivePath) is { } keepalive)
        {
            options.TcpKeepalive = new TcpKeepaliveOptions
            {
                Probes = Count(reader, keepalive, "probes", keepalivePath, "keepalive probes") is { } probes and > 0 ? probes : null,
                Time = Seconds(reader, keepalive, "time", keepalivePath),
                Interval = Seconds(reader, keepalive, "interval", keepalivePath),
            };
        }
    }

    private static void MapHttp(ObjectReader reader, YamlMappingNode http, string path, HttpConnectionPoolOptions options)
    {
        options.Http1MaxPendingRequests = Count(reader, http, "http1MaxPendingRequests", path, "http1 max pending requests") ?? 0;
        options.Http2MaxRequests = Count(reader, http, "http2MaxRequests", path, "http2 max requests") ?? 0;
        options.MaxRetries = Count(reader, http, "maxRetries", path, "max retries") ?? 0;
        options.MaxRequestsPerConnection = Count(reader, http, "maxRequestsPerConnection", path, "max requests per connection") ?? 0;
        options.IdleTimeout = IstioFields.Duration(reader, http, "idleTimeout", path, allowZero: true);
        Count(reader, http, "maxConcurrentStreams", path, "max concurrent streams");
        if (reader.String(http, "h2UpgradePolicy", path + ".h2UpgradePolicy") is { } upgrade)
        {
            if (IstioNames.TryParseH2UpgradePolicy(upgrade, out var policy))
            {
                options.H2UpgradePolicy = policy;
            }
            else
            {
                reader.Error(YamlNodes.Get(http, "h2UpgradePolicy")!, path + ".h2UpgradePolicy", $"{path}.h2UpgradePolicy: Invalid value: '{DiagnosticText.Cut(upgrade)}': must be DEFAULT, DO_NOT_UPGRADE or UPGRADE.");
            }
        }

        options.UseClientProtocol = IstioFields.Bool(reader, http, "useClientProtocol", path) ?? false;
        if (options.UseClientProtocol && options.H2UpgradePolicy == H2UpgradePolicy.Upgrade)
        {
            reader.Error(YamlNodes.Get(http, "useClientProtocol")!, path + ".useClientProtocol", $"{path}.useClientProtocol: Invalid value: use client protocol must not be true when H2UpgradePolicy is UPGRADE.");
            options.UseClientProtocol = false;
            options.H2UpgradePolicy = H2UpgradePolicy.Default;
        }

        var pingPath = path + ".http2KeepAlive";
        if (reader.Mapping(http, "http2KeepAlive", pingPath) is { } ping)
        {
            options.Http2KeepAlive = new Http2KeepAliveOptions
            {
                Interval = PingTime(reader, ping, "interval", pingPath),
                Timeout = PingTime(reader, ping, "timeout", pingPath),
            };
        }
    }

    // SocketsHttpHandler's PING delay and timeout are at least 1 s.
    private static TimeSpan? PingTime(ObjectReader reader, YamlMappingNode block, string key, string path)
    {
        if (IstioFields.Duration(reader, block, key, path) is not { } value)
        {
            return null;
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var fieldPath = path + "." + key;
            var node = YamlNodes.Get(block, key)!;
            reader.Error(node, fieldPath, $"{fieldPath}: Invalid value: '{DiagnosticText.Cut(((YamlScalarNode)node).Value ?? string.Empty)}': HTTP/2 keep-alive times are at least 1s in MeshClient (.NET's HTTP/2 PINGs).");
            return null;
        }

        return value;
    }

    /// <summary>A count of Istio's: not negative (Istio's wording names the field in words).</summary>
    private static int? Count(ObjectReader reader, YamlMappingNode block, string key, string path, string words)
    {
        if (reader.Int(block, key, path + "." + key) is not { } value)
        {
            return null;
        }

        if (value < 0)
        {
            reader.Error(YamlNodes.Get(block, key)!, path + "." + key, string.Create(CultureInfo.InvariantCulture, $"{path}.{key}: Invalid value: {value}: {words} must be non-negative."));
            return null;
        }

        return value;
    }

    // Keep-alive times are whole seconds on the socket (Envoy's too); under 1 s is an error here, not silently 0.
    private static TimeSpan? Seconds(ObjectReader reader, YamlMappingNode block, string key, string path)
    {
        if (reader.String(block, key, path + "." + key) is not { } text)
        {
            return null;
        }

        var node = YamlNodes.Get(block, key)!;
        var fieldPath = path + "." + key;
        if (!IstioDuration.TryParse(text, out var value))
        {
            reader.Error(node, fieldPath, $"{fieldPath}: Invalid value: '{DiagnosticText.Cut(text)}': not a duration (write it as Istio does, such as 7200s or 75s).");
            return null;
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            reader.Error(node, fieldPath, $"{fieldPath}: Invalid value: '{DiagnosticText.Cut(text)}': TCP keep-alive times are whole seconds, at least 1s.");
            return null;
        }

        return value;
    }
}
