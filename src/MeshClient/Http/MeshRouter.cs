using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Routing;
using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>Route selection by request host, port and the route matches, shared by the routing and the endpoint handler.</summary>
internal static class MeshRouter
{
    /// <summary>
    /// The route for <paramref name="request"/> in <paramref name="state"/>: the first route of the
    /// host's virtual host whose match holds (<paramref name="matched"/> is the block that held), or
    /// the passthrough route for an unknown host under ALLOW_ANY. <see langword="null"/> when
    /// REGISTRY_ONLY blocks the host (<paramref name="blocked"/>) or no route matched.
    /// </summary>
    public static MeshRoute? Route(MeshRuntime runtime, RuntimeState state, HttpRequestMessage request, Uri uri, out RouteMatch? matched, out bool blocked)
    {
        matched = null;
        blocked = false;
        var host = uri.IdnHost;
        var port = uri.Port;
        var virtualHost = state.VirtualHosts.Match(host, port);
        if (virtualHost is null)
        {
            if (state.OutboundTrafficPolicy == OutboundTrafficPolicy.RegistryOnly)
            {
                blocked = true;
                runtime.OnBlocked(host, port);
                return null;
            }

            return state.Passthrough;
        }

        return virtualHost.Match(request, uri, out matched);
    }

    /// <summary>
    /// Whether the application's <c>Host</c> header <paramref name="hostHeader"/> names another service
    /// than the request URI: MeshClient routes on the URI's host, while <c>SocketsHttpHandler</c> sends
    /// the Host header and takes SNI and the certificate name from it, so the two must lead to the same
    /// external service (or, both undeclared, to the passthrough). Otherwise routing, SNI and the
    /// certificate check would disagree and, for a host whose connections go where the URI says
    /// (resolution NONE, the passthrough), the Host header could name an allowed service while the
    /// connection goes elsewhere.
    /// </summary>
    public static bool IsMisdirected(RuntimeState state, Uri uri, string hostHeader)
    {
        // A fully qualified name's trailing dot names the same host.
        var host = HostOf(hostHeader).TrimEnd('.');
        var uriHost = uri.IdnHost;
        if (host.Equals(uriHost.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Both hosts of one external service (a ServiceEntry's hosts), or both undeclared (the passthrough).
        var port = uri.Port;
        var named = state.VirtualHosts.Match(host, port);
        var requested = state.VirtualHosts.Match(uriHost, port);
        return !(named is null ? requested is null : requested is not null && string.Equals(named.ServiceName, requested.ServiceName, StringComparison.Ordinal));
    }

    /// <summary>The host of a Host header value: without its port, an IPv6 address without brackets.</summary>
    internal static string HostOf(string hostHeader)
    {
        var value = hostHeader.AsSpan().Trim();
        if (value.StartsWith("["))
        {
            var close = value.IndexOf(']');
            return (close < 0 ? value[1..] : value[1..close]).ToString();
        }

        var colon = value.LastIndexOf(':');
        return (colon < 0 ? value : value[..colon]).ToString();
    }

    /// <summary>
    /// Acquires <paramref name="cluster"/> for one attempt. A reload may have retired it since the
    /// routing decision; the new state is already published then, so its replacement (the live cluster
    /// with the same key) is used and recorded in <paramref name="result"/>. Returns
    /// <see langword="null"/> when the new state has no such cluster. The caller must
    /// <see cref="Cluster.Release"/> the returned cluster.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The runtime was disposed (its service provider was).</exception>
    public static Cluster? Acquire(MeshRuntime runtime, Cluster cluster, MeshResult result)
    {
        while (!cluster.TryAcquire())
        {
            if (runtime.IsDisposed)
            {
                // Every cluster is retired and no state replaces them: fail now rather than look again forever.
                throw new ObjectDisposedException(nameof(MeshRuntime), "The mesh was disposed (its service provider was disposed); no request can be sent through it.");
            }

            var next = cluster.Key == ClusterKey.Passthrough ? runtime.Passthrough : runtime.FindCluster(cluster.Key);
            if (next is null || ReferenceEquals(next, cluster))
            {
                return null;
            }

            result.TargetCluster = next;
            cluster = next;
        }

        return cluster;
    }
}
