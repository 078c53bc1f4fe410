using System.Net;

namespace MeshClient.Model;

/// <summary>
/// One endpoint of a cluster: where to connect (an IP address, or a host name that DNS resolves when
/// a connection opens) and how much traffic it gets.
/// </summary>
internal sealed record EndpointDefinition
{
    /// <summary>An endpoint at an IP address (resolution STATIC, or an address DNS returned).</summary>
    public EndpointDefinition(IPAddress address, int port, int weight, string? locality)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        Port = port;
        Weight = weight;
        Locality = locality;
        Authority = new IPEndPoint(address, port).ToString();
        Key = new EndpointKey(address.ToString(), port);
    }

    /// <summary>An endpoint named by a host name, resolved when a connection opens (Envoy LOGICAL_DNS).</summary>
    public EndpointDefinition(string hostName, int port, int weight, string? locality)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        HostName = hostName.ToLowerInvariant();
        Port = port;
        Weight = weight;
        Locality = locality;
        Authority = FormattableString.Invariant($"{HostName}:{port}");
        Key = new EndpointKey(HostName, port);
    }

    /// <summary>An endpoint at a Unix domain socket (resolution STATIC, Istio <c>unix:///path</c> or <c>unix://@abstract</c>).</summary>
    private EndpointDefinition(string socketPath, int weight, string? locality, bool unixSocket)
    {
        _ = unixSocket;
        SocketPath = socketPath;
        Weight = weight;
        Locality = locality;
        Authority = UnixPrefix + socketPath;
        Key = new EndpointKey(Authority, 0);
    }

    /// <summary>The scheme of a Unix domain socket endpoint's address, as Istio writes it.</summary>
    public const string UnixPrefix = "unix://";

    /// <summary>The IP address, or <see langword="null"/> for a host-name or socket endpoint.</summary>
    public IPAddress? Address { get; }

    /// <summary>
    /// The Unix domain socket's path (<c>/var/run/app.sock</c>), or a Linux abstract name starting with
    /// <c>@</c>; <see langword="null"/> for a network endpoint. Its <see cref="Port"/> is 0: the socket is the whole address.
    /// </summary>
    public string? SocketPath { get; }

    /// <summary>The host name, lower case, or <see langword="null"/> for an IP endpoint.</summary>
    public string? HostName { get; }

    public int Port { get; }

    public int Weight { get; init; }

    public string? Locality { get; init; }

    /// <summary>
    /// The endpoint's priority (Envoy's; 0 first): from its locality and labels against the client's
    /// (<see cref="LocalityAssignment"/>). Traffic spills to the next priority as this one's healthy share drops.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>
    /// The weight of the endpoint's locality within its priority (Istio <c>distribute</c>), the same on
    /// every endpoint of the locality; 0 when localities are not weighted (the picker balances the
    /// priority's endpoints together).
    /// </summary>
    public int LocalityWeight { get; init; }

    /// <summary><c>10.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>api.example.com:443</c> or <c>unix:///var/run/app.sock</c>.</summary>
    public string Authority { get; }

    /// <summary>
    /// What identifies the endpoint across rebuilds: its address (or host name) and port. A weight or
    /// locality change keeps the live endpoint, with its connections and health.
    /// </summary>
    public EndpointKey Key { get; }

    /// <summary>An endpoint at the Unix domain socket of <paramref name="address"/> (<c>unix:///path</c>, <c>unix://@name</c>).</summary>
    public static EndpointDefinition UnixSocket(string address, int weight, string? locality) =>
        new(address[UnixPrefix.Length..], weight, locality, unixSocket: true);

    /// <summary>Whether <paramref name="address"/> names a Unix domain socket (<c>unix://…</c>).</summary>
    public static bool IsUnixSocket(string? address) => address is not null && address.StartsWith(UnixPrefix, StringComparison.Ordinal);

    /// <summary>Where a connection to this endpoint goes: its IP address and port, its host name and port, or its socket.</summary>
    public EndPoint ToEndPoint() =>
        SocketPath is { } path ? new System.Net.Sockets.UnixDomainSocketEndPoint(path.StartsWith('@') ? "\0" + path[1..] : path)
        : Address is { } address ? new IPEndPoint(address, Port)
        : new DnsEndPoint(HostName!, Port);
}

/// <summary>Identifies an endpoint by where it connects: an IP address or host name, and a port.</summary>
/// <param name="Host">The IP address text or the lower-case host name.</param>
/// <param name="Port">The port.</param>
internal readonly record struct EndpointKey(string Host, int Port);
