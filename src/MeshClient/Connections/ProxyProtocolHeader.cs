using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MeshClient.Configuration;

namespace MeshClient.Connections;

/// <summary>
/// The PROXY protocol header (HAProxy's specification, versions 1 and 2) a connection sends first when
/// its cluster has <see cref="ProxyProtocolOptions"/>: the connection's own local (source) and remote
/// (destination) addresses. A Unix domain socket connection sends <c>UNKNOWN</c> (v1) or a LOCAL
/// command with no addresses (v2).
/// </summary>
internal static class ProxyProtocolHeader
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Writes the header for <paramref name="socket"/>'s connection to <paramref name="stream"/>.</summary>
    public static async ValueTask WriteAsync(Stream stream, Socket socket, ProxyProtocolVersion version, CancellationToken cancellationToken)
    {
        var header = Build(version, socket.LocalEndPoint as IPEndPoint, socket.RemoteEndPoint as IPEndPoint);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The header bytes; <see langword="null"/> addresses (not an IP connection) give the "unknown" form.</summary>
    public static byte[] Build(ProxyProtocolVersion version, IPEndPoint? source, IPEndPoint? destination)
    {
        if (source is not null && destination is not null && source.AddressFamily != destination.AddressFamily)
        {
            // A dual-mode socket: both sides as IPv6 (an IPv4 address mapped).
            source = new IPEndPoint(source.Address.MapToIPv6(), source.Port);
            destination = new IPEndPoint(destination.Address.MapToIPv6(), destination.Port);
        }

        return version == ProxyProtocolVersion.V2 ? V2(source, destination) : V1(source, destination);
    }

    private static byte[] V1(IPEndPoint? source, IPEndPoint? destination)
    {
        if (source is null || destination is null)
        {
            return "PROXY UNKNOWN\r\n"u8.ToArray();
        }

        var family = source.AddressFamily == AddressFamily.InterNetworkV6 ? "TCP6" : "TCP4";
        return Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"PROXY {family} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n"));
    }

    private static byte[] V2(IPEndPoint? source, IPEndPoint? destination)
    {
        if (source is null || destination is null)
        {
            var local = new byte[16];
            V2Signature.CopyTo(local, 0);
            local[12] = 0x20; // version 2, LOCAL
            local[13] = 0x00; // UNSPEC
            return local;
        }

        var v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        var addressLength = v6 ? 16 : 4;
        var length = (2 * addressLength) + 4;
        var header = new byte[16 + length];
        V2Signature.CopyTo(header, 0);
        header[12] = 0x21; // version 2, PROXY
        header[13] = (byte)(v6 ? 0x21 : 0x11); // TCP over IPv6 or IPv4
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)length);
        source.Address.TryWriteBytes(header.AsSpan(16, addressLength), out _);
        destination.Address.TryWriteBytes(header.AsSpan(16 + addressLength, addressLength), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (2 * addressLength)), (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (2 * addressLength)), (ushort)destination.Port);
        return header;
    }
}
