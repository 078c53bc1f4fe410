using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1 (UDP, port 0) inside the test process: answers A
/// and AAAA questions from a table the test changes (addresses with TTLs), or NXDOMAIN / SERVFAIL /
/// no answer on demand. Names not in the table are NXDOMAIN, so nothing ever leaves the machine.
/// </summary>
internal sealed class LoopbackDnsServer : IDisposable
{
    private readonly UdpClient _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Zone> _zones = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _queries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _loop;

    public LoopbackDnsServer()
    {
        _socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.Client.LocalEndPoint!;
        _loop = Task.Run(LoopAsync);
    }

    public enum Behaviour
    {
        Answer,
        NxDomain,
        ServFail,
        Silent,
    }

    public IPEndPoint EndPoint { get; }

    /// <summary><c>127.0.0.1:port</c>, for <c>MeshOptions.Dns.NameServers</c>.</summary>
    public string NameServer => EndPoint.ToString();

    /// <summary>Answers <paramref name="name"/> with these addresses, each with <paramref name="ttl"/> seconds (empty: a successful empty answer).</summary>
    public void Set(string name, int ttl, params string[] addresses) =>
        _zones[name] = new Zone(Behaviour.Answer, [.. addresses.Select(a => (IPAddress.Parse(a), ttl))]);

    public void Set(string name, Behaviour behaviour) =>
        _zones[name] = new Zone(behaviour, _zones.TryGetValue(name, out var zone) ? zone.Records : []);

    public int Queries(string name) => _queries.GetValueOrDefault(name);

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the loop ends with the socket
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var reply = Answer(received.Buffer);
            if (reply is not null)
            {
                try
                {
                    await _socket.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    // the client went away
                }
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12)
        {
            return null;
        }

        // Question: labels, then QTYPE and QCLASS.
        var offset = 12;
        var labels = new List<string>();
        while (offset < query.Length && query[offset] != 0)
        {
            var length = query[offset];
            labels.Add(System.Text.Encoding.ASCII.GetString(query, offset + 1, length));
            offset += length + 1;
        }

        var questionEnd = offset + 5;
        if (questionEnd > query.Length)
        {
            return null;
        }

        var name = string.Join('.', labels);
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        _queries.AddOrUpdate(name, 1, static (_, n) => n + 1);
        var zone = _zones.GetValueOrDefault(name) ?? new Zone(Behaviour.NxDomain, []);
        if (zone.Behaviour == Behaviour.Silent)
        {
            return null;
        }

        var family = type == 28 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var records = zone.Behaviour == Behaviour.Answer && type is 1 or 28
            ? zone.Records.Where(r => r.Address.AddressFamily == family).ToList()
            : [];
        var reply = new List<byte>(512);
        reply.AddRange(query.AsSpan(0, 2).ToArray()); // id
        var rcode = zone.Behaviour switch
        {
            Behaviour.NxDomain => 3,
            Behaviour.ServFail => 2,
            _ => 0,
        };
        var recursionDesired = query[2] & 0x01;
        reply.Add((byte)(0x84 | recursionDesired)); // QR, AA, RD as asked
        reply.Add((byte)(0x80 | rcode)); // RA, RCODE
        Add16(reply, 1);
        Add16(reply, records.Count);
        Add16(reply, 0);
        Add16(reply, 0);
        reply.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var (address, ttl) in records)
        {
            Add16(reply, 0xC00C); // the question's name
            Add16(reply, type);
            Add16(reply, 1); // IN
            reply.Add((byte)(ttl >> 24));
            reply.Add((byte)(ttl >> 16));
            reply.Add((byte)(ttl >> 8));
            reply.Add((byte)ttl);
            var bytes = address.GetAddressBytes();
            Add16(reply, bytes.Length);
            reply.AddRange(bytes);
        }

        return [.. reply];
    }

    private static void Add16(List<byte> bytes, int value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }

    private sealed record Zone(Behaviour Behaviour, List<(IPAddress Address, int Ttl)> Records);
}
