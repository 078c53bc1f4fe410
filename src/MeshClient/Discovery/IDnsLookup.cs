using MeshClient.Configuration;

namespace MeshClient.Discovery;

/// <summary>Resolves a host name to addresses (the mesh's DNS client; tests substitute answers).</summary>
internal interface IDnsLookup
{
    /// <summary>Resolves <paramref name="host"/> with <paramref name="settings"/> (name servers, family, timeout); never throws for a DNS failure.</summary>
    Task<DnsAnswer> ResolveAsync(string host, DnsSettings settings, CancellationToken cancellationToken);
}

/// <summary>Helpers over <see cref="IDnsLookup"/>.</summary>
internal static class DnsLookupFamilies
{
    public static bool AsksV4(DnsLookupFamily family) => family is DnsLookupFamily.V4Only or DnsLookupFamily.All;

    public static bool AsksV6(DnsLookupFamily family) => family is DnsLookupFamily.V6Only or DnsLookupFamily.All;
}
