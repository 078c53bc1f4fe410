using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MeshClient.Discovery;

/// <summary>
/// The mesh's resolver: DnsClient's <see cref="LookupClient"/> on the configured name servers (the
/// system's when none are set), without its cache — each cluster schedules its own refreshes by TTL.
/// One instance per runtime; the client is rebuilt when the name servers or the timeout change.
/// </summary>
internal sealed class DnsClientLookup : IDnsLookup
{
    private volatile Entry? _client;

    public async Task<DnsAnswer> ResolveAsync(string host, DnsSettings settings, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return DnsAnswer.Success([literal], null, null);
        }

        ILookupClient client;
        try
        {
            client = ClientFor(settings);
        }
        catch (Exception ex) when (ex is DnsResponseException or InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException)
        {
            return DnsAnswer.Failed(DnsAnswerStatus.Failure, "no name server: " + ex.Message);
        }

        var addresses = new List<IPAddress>();
        TimeSpan? minTtl = null;
        TimeSpan? firstTtl = null;
        foreach (var type in Types(settings))
        {
            IDnsQueryResponse response;
            try
            {
                response = await client.QueryAsync(host, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            }
            catch (DnsResponseException ex)
            {
                return DnsAnswer.Failed(DnsAnswerStatus.Failure, ex.Message);
            }

            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            {
                return DnsAnswer.Failed(DnsAnswerStatus.NameError, $"'{host}' does not exist (NXDOMAIN)");
            }

            if (response.HasError)
            {
                return DnsAnswer.Failed(DnsAnswerStatus.Failure, response.ErrorMessage);
            }

            foreach (var record in response.Answers)
            {
                var address = record switch
                {
                    ARecord a => a.Address,
                    AaaaRecord aaaa => aaaa.Address,
                    _ => null,
                };

                if (address is null)
                {
                    continue;
                }

                var ttl = TimeSpan.FromSeconds(Math.Max(record.InitialTimeToLive, 0));
                firstTtl ??= ttl;
                minTtl = minTtl is { } m && m <= ttl ? m : ttl;
                if (!addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }
        }

        return DnsAnswer.Success([.. addresses], minTtl, firstTtl);
    }

    private static QueryType[] Types(DnsSettings settings) => settings.LookupFamily switch
    {
        Configuration.DnsLookupFamily.V6Only => [QueryType.AAAA],
        Configuration.DnsLookupFamily.All => [QueryType.A, QueryType.AAAA],
        _ => [QueryType.A],
    };

    private ILookupClient ClientFor(DnsSettings settings)
    {
        var current = _client;
        if (current is not null && current.Matches(settings))
        {
            return current.Client;
        }

        var options = settings.NameServers.Length > 0
            ? new LookupClientOptions(settings.NameServers)
            : new LookupClientOptions();
        options.UseCache = false;
        options.Timeout = settings.QueryTimeout;
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = true;
        options.ContinueOnEmptyResponse = false;
        var next = new Entry(settings, new LookupClient(options));
        _client = next;
        return next.Client;
    }

    private sealed class Entry(DnsSettings settings, ILookupClient client)
    {
        public ILookupClient Client { get; } = client;

        public bool Matches(DnsSettings other) =>
            settings.NameServers.AsSpan().SequenceEqual(other.NameServers) && settings.QueryTimeout == other.QueryTimeout;
    }
}
