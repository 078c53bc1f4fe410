using System.Net;

namespace MeshClient.Discovery;

/// <summary>
/// Another source of addresses than DNS (a service registry, a cloud API, a file) for the services
/// that select it by <see cref="Configuration.ExternalServiceOptions.Resolver"/>. Register it in
/// the container (<c>services.AddSingleton&lt;IMeshEndpointResolver, MyResolver&gt;()</c>); it
/// then answers for those services exactly where DNS would — resolution <c>DNS</c> (every address an
/// endpoint), <c>DNS_ROUND_ROBIN</c> (the first address for new connections) and <c>DYNAMIC_DNS</c>
/// (the requested host) — with the same refresh schedule, TTLs, back-off and drain.
/// </summary>
public interface IMeshEndpointResolver
{
    /// <summary>Gets the name services select the resolver by (case-insensitive).</summary>
    string Name { get; }

    /// <summary>Resolves <paramref name="host"/> (an endpoint's address, the service host, or the requested host).</summary>
    /// <param name="host">The name to resolve, lower case.</param>
    /// <param name="cancellationToken">Cancelled when the mesh stops.</param>
    /// <returns>The addresses with their time to live, or a failure (the last good addresses then stay).</returns>
    ValueTask<MeshResolvedAddresses> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>What an <see cref="IMeshEndpointResolver"/> answered.</summary>
public sealed class MeshResolvedAddresses
{
    private MeshResolvedAddresses(bool succeeded, IReadOnlyList<IPAddress> addresses, TimeSpan? timeToLive, string? error)
    {
        Succeeded = succeeded;
        Addresses = addresses;
        TimeToLive = timeToLive;
        Error = error;
    }

    /// <summary>Gets a value indicating whether the name was resolved (possibly to no address, which empties the endpoints).</summary>
    public bool Succeeded { get; }

    /// <summary>Gets the addresses, in the order to use them (the first one is DNS_ROUND_ROBIN's).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>Gets how long the answer stays valid; <see langword="null"/> means the refresh rate.</summary>
    public TimeSpan? TimeToLive { get; }

    /// <summary>Gets why the resolution failed; <see langword="null"/> when it succeeded.</summary>
    public string? Error { get; }

    /// <summary>A successful answer.</summary>
    /// <param name="addresses">The addresses; empty empties the endpoints (503 <c>UH</c>).</param>
    /// <param name="timeToLive">How long the answer stays valid; <see langword="null"/> for the refresh rate.</param>
    /// <returns>The answer.</returns>
    public static MeshResolvedAddresses Success(IReadOnlyList<IPAddress> addresses, TimeSpan? timeToLive = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return new(true, addresses, timeToLive, null);
    }

    /// <summary>A failed resolution: the last good addresses stay and the resolution is retried with back-off.</summary>
    /// <param name="error">Why, for the log.</param>
    /// <returns>The answer.</returns>
    public static MeshResolvedAddresses Failure(string error) => new(false, [], null, error);
}

/// <summary>An <see cref="IMeshEndpointResolver"/> behind the mesh's own lookup seam.</summary>
internal sealed class MeshEndpointResolverLookup(IMeshEndpointResolver resolver) : IDnsLookup
{
    public async Task<DnsAnswer> ResolveAsync(string host, DnsSettings settings, CancellationToken cancellationToken)
    {
        var result = await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return DnsAnswer.Failed(DnsAnswerStatus.Failure, $"resolver '{resolver.Name}': {result.Error}");
        }

        var addresses = new List<IPAddress>(result.Addresses.Count);
        foreach (var address in result.Addresses)
        {
            if (address is not null && !addresses.Contains(address))
            {
                addresses.Add(address);
            }
        }

        var ttl = addresses.Count == 0 ? null : result.TimeToLive;
        return DnsAnswer.Success([.. addresses], ttl, ttl);
    }
}
