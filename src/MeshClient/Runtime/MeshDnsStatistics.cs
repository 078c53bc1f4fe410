using MeshClient.Configuration;

namespace MeshClient.Runtime;

/// <summary>
/// The DNS counters of one cluster resolved by DNS (<c>DNS</c>, <c>DNS_ROUND_ROBIN</c>,
/// <c>DYNAMIC_DNS</c>): Envoy's <c>update_attempt</c> / <c>update_success</c> / <c>update_failure</c>
/// cluster statistics, with the time of the last success.
/// </summary>
/// <param name="Service">The external service.</param>
/// <param name="Cluster">Envoy's cluster name, for example <c>outbound|443||api.example.com</c>.</param>
/// <param name="Resolution">How the cluster resolves (<see cref="ServiceResolution.Dns"/>, <see cref="ServiceResolution.DnsRoundRobin"/> or <see cref="ServiceResolution.DynamicDns"/>).</param>
/// <param name="Refreshes">
/// Refreshes made: for DNS and DNS_ROUND_ROBIN, background refreshes of all the cluster's names; for
/// DYNAMIC_DNS, lookups of one requested host.
/// </param>
/// <param name="FailedLookups">Lookups that failed (timeout, SERVFAIL, NXDOMAIN, no name server); the last good addresses stayed.</param>
/// <param name="LastSuccess">When the last refresh whose every lookup succeeded ended, from the mesh's clock; <see langword="null"/> before one.</param>
/// <param name="LastFailure">When the last failed lookup ended; <see langword="null"/> before one.</param>
/// <param name="LastError">The name and reason of the last failed lookup; <see langword="null"/> before one.</param>
/// <param name="Addresses">
/// The addresses in use: the endpoints DNS gave (DNS), 1 or 0 (DNS_ROUND_ROBIN: the address new
/// connections go to), the cached host names with an address (DYNAMIC_DNS).
/// </param>
public sealed record MeshDnsStatistics(
    string Service,
    string Cluster,
    ServiceResolution Resolution,
    long Refreshes,
    long FailedLookups,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastFailure,
    string? LastError,
    int Addresses)
{
    /// <summary>
    /// For DNS_ROUND_ROBIN: the address new connections go to now (the first address of the latest
    /// answer), or <see langword="null"/> before an answer and for the other resolutions. Requests show
    /// the logical endpoint (<c>name:port</c>) in <see cref="MeshResult.Endpoint"/>, because a pooled
    /// connection may still be to an earlier address.
    /// </summary>
    public string? NewConnectionAddress { get; init; }
}
