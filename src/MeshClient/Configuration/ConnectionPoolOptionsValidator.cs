namespace MeshClient.Configuration;

/// <summary>
/// Validates <see cref="ConnectionPoolOptions"/> with Istio's rules (<c>validateConnectionPool</c>:
/// counts not negative, durations of at least 1 ms in whole milliseconds) plus what the wire needs
/// (keep-alive in whole seconds, HTTP/2 PINGs of at least 1 s).
/// </summary>
internal static class ConnectionPoolOptionsValidator
{
    public static void Validate(ConnectionPoolOptions? pool, string path, ServiceFindings findings)
    {
        if (pool is null)
        {
            return;
        }

        if (!Enum.IsDefined(pool.Scope))
        {
            findings.Error(path + ".scope", FormattableString.Invariant($" must be Cluster or Endpoint (was '{(int)pool.Scope}')."));
        }

        if (pool.Tcp is { } tcp)
        {
            var tcpPath = path + ".tcp";
            NotNegative(tcp.MaxConnections, tcpPath + ".maxConnections", findings);
            Duration(tcp.ConnectTimeout, tcpPath + ".connectTimeout", findings);
            if (tcp.MaxConnectionDuration is { } lifetime)
            {
                Duration(lifetime, tcpPath + ".maxConnectionDuration", findings);
            }

            IdleTimeout(tcp.IdleTimeout, tcpPath + ".idleTimeout", findings);
            if (tcp.TcpKeepalive is { } keepalive)
            {
                var keepalivePath = tcpPath + ".tcpKeepalive";
                if (keepalive.Probes is { } probes and < 1)
                {
                    findings.Error(keepalivePath + ".probes", FormattableString.Invariant($" must be at least 1 (was '{probes}')."));
                }

                Seconds(keepalive.Time, keepalivePath + ".time", findings);
                Seconds(keepalive.Interval, keepalivePath + ".interval", findings);
            }
        }

        if (pool.Http is { } http)
        {
            var httpPath = path + ".http";
            NotNegative(http.Http1MaxPendingRequests, httpPath + ".http1MaxPendingRequests", findings);
            NotNegative(http.Http2MaxRequests, httpPath + ".http2MaxRequests", findings);
            NotNegative(http.MaxRetries, httpPath + ".maxRetries", findings);
            NotNegative(http.MaxRequestsPerConnection, httpPath + ".maxRequestsPerConnection", findings);

            IdleTimeout(http.IdleTimeout, httpPath + ".idleTimeout", findings);
            if (!Enum.IsDefined(http.H2UpgradePolicy))
            {
                findings.Error(httpPath + ".h2UpgradePolicy", FormattableString.Invariant($" must be DEFAULT, DO_NOT_UPGRADE or UPGRADE (was '{(int)http.H2UpgradePolicy}')."));
            }
            else if (http.UseClientProtocol && http.H2UpgradePolicy == H2UpgradePolicy.Upgrade)
            {
                // Istio's validateConnectionPool.
                findings.Error(httpPath + ".useClientProtocol", " must not be true when h2UpgradePolicy is UPGRADE.");
            }

            if (http.Http2KeepAlive is { } ping)
            {
                PingTime(ping.Interval, httpPath + ".http2KeepAlive.interval", findings);
                PingTime(ping.Timeout, httpPath + ".http2KeepAlive.timeout", findings);
            }
        }
    }

    private static bool NotNegative(int value, string path, ServiceFindings findings)
    {
        if (value < 0)
        {
            findings.Error(path, FormattableString.Invariant($" must not be negative (was '{value}')."));
            return false;
        }

        return true;
    }

    private static void Duration(TimeSpan value, string path, ServiceFindings findings)
    {
        if (DurationValidator.Check(value) is { } problem)
        {
            findings.Error(path, " " + problem);
        }
    }

    // 0 turns the idle timeout off (Envoy); anything else follows Istio's duration rule.
    private static void IdleTimeout(TimeSpan? value, string path, ServiceFindings findings)
    {
        if (value is { } idle && idle != TimeSpan.Zero)
        {
            Duration(idle, path, findings);
        }
    }

    // SocketsHttpHandler's KeepAlivePingDelay and KeepAlivePingTimeout take 1 s at least.
    private static void PingTime(TimeSpan? value, string path, ServiceFindings findings)
    {
        if (value is not { } time)
        {
            return;
        }

        if (time < TimeSpan.FromSeconds(1))
        {
            findings.Error(path, $" must be at least 1s (was '{DurationValidator.Format(time)}').");
            return;
        }

        Duration(time, path, findings);
    }

    // The socket option takes whole seconds; a shorter time would round to 0, which means "not set".
    private static void Seconds(TimeSpan? value, string path, ServiceFindings findings)
    {
        if (value is { } time && time < TimeSpan.FromSeconds(1))
        {
            findings.Error(path, $" must be at least 1s (was '{DurationValidator.Format(time)}').");
        }
    }
}
