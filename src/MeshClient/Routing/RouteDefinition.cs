using MeshClient.Model;

namespace MeshClient.Routing;

/// <summary>
/// One immutable HTTP route of a virtual host, built from validated options: its match blocks (none =
/// every request), then either weighted destinations (with rewrite and header operations), a redirect
/// or a direct response, and its policy (timeout; retries, faults and mirrors join it).
/// </summary>
internal sealed class RouteDefinition
{
    public string? Name { get; init; }

    /// <summary>The condition blocks, ORed; empty for a catch-all route.</summary>
    public RouteMatch[] Matches { get; init; } = [];

    public RouteDestination[] Destinations { get; init; } = [];

    public PathRewrite? PathRewrite { get; init; }

    /// <summary>The authority sent upstream (Istio <c>rewrite.authority</c> or a request <c>host</c> header set).</summary>
    public string? AuthorityRewrite { get; init; }

    public HeaderOperations? RequestHeaders { get; init; }

    public HeaderOperations? ResponseHeaders { get; init; }

    public RedirectDefinition? Redirect { get; init; }

    public DirectResponseDefinition? DirectResponse { get; init; }

    /// <summary>The route timeout (Istio <c>http[].timeout</c>), or <see langword="null"/> for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The fault to inject, or <see langword="null"/>.</summary>
    public FaultDefinition? Fault { get; init; }

    /// <summary>The mirrors that receive copies of the requests.</summary>
    public MirrorDefinition[] Mirrors { get; init; } = [];

    /// <summary>The retry (or hedging) policy (Istio <c>http[].retries</c>, else the mesh default), or <see langword="null"/> for none.</summary>
    public Resilience.RetryPolicy? Retry { get; init; }

    public bool IsCatchAll => Matches.Length == 0;

    /// <summary>The first match block that <paramref name="request"/> meets; <see langword="null"/> when none does (a catch-all route answers with its implicit block).</summary>
    public bool TryMatch(HttpRequestMessage request, Uri uri, out RouteMatch? matched)
    {
        matched = null;
        var matches = Matches;
        if (matches.Length == 0)
        {
            return true;
        }

        for (var i = 0; i < matches.Length; i++)
        {
            if (matches[i].Matches(request, uri))
            {
                matched = matches[i];
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// One weighted destination: the cluster it sends to (<see langword="null"/> when no registered
/// service declares the host and port, or the subset does not exist: Envoy's "cluster not found").
/// </summary>
internal sealed record RouteDestination(ClusterKey? Cluster, string Host, int Weight, HeaderOperations? RequestHeaders, HeaderOperations? ResponseHeaders, string? AuthorityRewrite)
{
    /// <summary>The host is not a registered service's (not a missing subset): under REGISTRY_ONLY it is blocked.</summary>
    public bool IsUnregisteredHost { get; init; }

    public int Port { get; init; }

    /// <summary>The subset the destination names, for the message when it does not exist.</summary>
    public string? Subset { get; init; }
}

/// <summary>A redirect answered in process (Istio <c>HTTPRedirect</c>).</summary>
internal sealed record RedirectDefinition(string? Path, string? Authority, int? Port, string? Scheme, int Status)
{
    /// <summary>Replaces the matched part of the path (Istio <c>prefixRewrite</c>); not with <see cref="Path"/>.</summary>
    public PathRewrite? PrefixRewrite { get; init; }

    /// <summary>How the port is chosen without <see cref="Port"/> (Istio <c>derivePort</c>).</summary>
    public Configuration.RedirectPortSelection? DerivePort { get; init; }
}

/// <summary>A response answered in process (Istio <c>HTTPDirectResponse</c>).</summary>
internal sealed record DirectResponseDefinition(int Status, byte[]? Body);
