using System.Net;

namespace MeshClient.Discovery;

/// <summary>How a lookup ended.</summary>
internal enum DnsAnswerStatus
{
    /// <summary>The name server answered (possibly with no address: the set becomes empty).</summary>
    Success,

    /// <summary>The name does not exist (NXDOMAIN): treated as a failure, the last good set stays.</summary>
    NameError,

    /// <summary>No usable answer (timeout, SERVFAIL, refused, no name server): the last good set stays.</summary>
    Failure,
}

/// <summary>The result of resolving one name: its addresses in the order of the answer, and their TTLs.</summary>
internal sealed class DnsAnswer
{
    private DnsAnswer(DnsAnswerStatus status, IPAddress[] addresses, TimeSpan? minTtl, TimeSpan? firstTtl, string? error)
    {
        Status = status;
        Addresses = addresses;
        MinTtl = minTtl;
        FirstTtl = firstTtl;
        Error = error;
    }

    public DnsAnswerStatus Status { get; }

    public bool IsSuccess => Status == DnsAnswerStatus.Success;

    /// <summary>The addresses, duplicates removed, in the order of the answer.</summary>
    public IPAddress[] Addresses { get; }

    /// <summary>The smallest TTL among the address records (what strict DNS refreshes by); <see langword="null"/> without records.</summary>
    public TimeSpan? MinTtl { get; }

    /// <summary>The first address record's TTL (what logical DNS refreshes by); <see langword="null"/> without records.</summary>
    public TimeSpan? FirstTtl { get; }

    /// <summary>Why the lookup failed; <see langword="null"/> on success.</summary>
    public string? Error { get; }

    public static DnsAnswer Success(IPAddress[] addresses, TimeSpan? minTtl, TimeSpan? firstTtl) => new(DnsAnswerStatus.Success, addresses, minTtl, firstTtl, null);

    public static DnsAnswer Failed(DnsAnswerStatus status, string error) => new(status, [], null, null, error);
}
