using MeshClient.Configuration;

namespace MeshClient.Health;

/// <summary>
/// The active health checks of one cluster, built from validated <see cref="HealthCheckOptions"/>:
/// the timing, the thresholds and, for HTTP, the request (the URI of the service host and port, so
/// that the Host header, SNI and certificate name are those of real traffic).
/// </summary>
internal sealed class HealthCheckSettings : IEquatable<HealthCheckSettings>
{
    private HealthCheckSettings(HealthCheckOptions options, Uri? uri)
    {
        Interval = options.Interval;
        Jitter = options.IntervalJitter;
        Timeout = options.Timeout;
        UnhealthyThreshold = options.UnhealthyThreshold;
        HealthyThreshold = options.HealthyThreshold;
        NoTrafficUntilHealthy = options.NoTrafficUntilHealthy;
        if (options.Http is { } http && uri is not null)
        {
            Uri = uri;
            Method = new HttpMethod(http.Method.ToUpperInvariant());
            var ranges = new (int Start, int End)[http.ExpectedStatuses.Count == 0 ? 1 : http.ExpectedStatuses.Count];
            if (http.ExpectedStatuses.Count == 0)
            {
                ranges[0] = (200, 201); // Envoy's default: 200 only
            }
            else
            {
                for (var i = 0; i < ranges.Length; i++)
                {
                    ranges[i] = (http.ExpectedStatuses[i].Start, http.ExpectedStatuses[i].End);
                }
            }

            ExpectedStatuses = ranges;
            var headers = new List<KeyValuePair<string, string>>(http.Headers.Count);
            foreach (var header in http.Headers)
            {
                headers.Add(header);
            }

            headers.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            Headers = [.. headers];
        }
    }

    public TimeSpan Interval { get; }

    public TimeSpan Jitter { get; }

    public TimeSpan Timeout { get; }

    public int UnhealthyThreshold { get; }

    public int HealthyThreshold { get; }

    public bool NoTrafficUntilHealthy { get; }

    /// <summary>The HTTP check's URI (scheme, service host, service port, path); <see langword="null"/> for a TCP check.</summary>
    public Uri? Uri { get; }

    public HttpMethod Method { get; } = HttpMethod.Get;

    /// <summary>Half-open ranges of passing status codes.</summary>
    public (int Start, int End)[] ExpectedStatuses { get; } = [];

    public KeyValuePair<string, string>[] Headers { get; } = [];

    public bool IsTcp => Uri is null;

    /// <summary>
    /// The settings of the cluster of <paramref name="host"/>:<paramref name="port"/>, or <see langword="null"/>
    /// when there are none (or the host is a wildcard, whose endpoints are not known in advance). An
    /// <c>https</c> port (HTTPS, TLS, or 443) is checked with <c>https://</c> as applications call it;
    /// any other with <c>http://</c>, which the cluster's TLS settings (Istio's TLS origination) wrap in TLS.
    /// </summary>
    public static HealthCheckSettings? From(HealthCheckOptions? options, string host, int port, ServiceProtocol protocol)
    {
        if (options is null || host.StartsWith('*'))
        {
            return null;
        }

        Uri? uri = null;
        if (options.Http is { } http)
        {
            var scheme = protocol is ServiceProtocol.Https or ServiceProtocol.Tls || (protocol == ServiceProtocol.Unspecified && port == 443) ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
            var path = string.IsNullOrEmpty(http.Path) ? "/" : http.Path;
            if (!Uri.TryCreate(FormattableString.Invariant($"{scheme}://{host}:{port}{(path.StartsWith('/') ? path : "/" + path)}"), UriKind.Absolute, out uri))
            {
                return null; // rejected by validation
            }
        }
        else if (options.Tcp is null)
        {
            return null; // rejected by validation
        }

        return new HealthCheckSettings(options, uri);
    }

    /// <summary>Whether <paramref name="status"/> passes the HTTP check.</summary>
    public bool IsExpected(int status)
    {
        foreach (var (start, end) in ExpectedStatuses)
        {
            if (status >= start && status < end)
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(HealthCheckSettings? other) =>
        other is not null
        && Interval == other.Interval
        && Jitter == other.Jitter
        && Timeout == other.Timeout
        && UnhealthyThreshold == other.UnhealthyThreshold
        && HealthyThreshold == other.HealthyThreshold
        && NoTrafficUntilHealthy == other.NoTrafficUntilHealthy
        && Equals(Uri, other.Uri)
        && Method == other.Method
        && ExpectedStatuses.AsSpan().SequenceEqual(other.ExpectedStatuses)
        && Headers.AsSpan().SequenceEqual(other.Headers);

    public override bool Equals(object? obj) => Equals(obj as HealthCheckSettings);

    public override int GetHashCode() => HashCode.Combine(Interval, Timeout, UnhealthyThreshold, HealthyThreshold, Uri);
}
