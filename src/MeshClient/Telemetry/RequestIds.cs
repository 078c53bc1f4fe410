using System.Security.Cryptography;

namespace MeshClient.Telemetry;

/// <summary>
/// Random (version 4) UUIDs for <c>x-request-id</c>, as <see cref="Guid.NewGuid"/> makes them but
/// from a per-thread buffer of cryptographically random bytes refilled 256 ids at a time:
/// <see cref="Guid.NewGuid"/> asks the operating system for 16 bytes on every call, which on a
/// virtual machine can cost microseconds per request.
/// </summary>
internal static class RequestIds
{
    private const int BufferSize = 16 * 256;

    [ThreadStatic]
    private static byte[]? _buffer;

    [ThreadStatic]
    private static int _next;

    public static string NewId()
    {
        var buffer = _buffer;
        var next = _next;
        if (buffer is null || next >= BufferSize)
        {
            buffer = _buffer ??= new byte[BufferSize];
            RandomNumberGenerator.Fill(buffer);
            next = 0;
        }

        _next = next + 16;
        Span<byte> bytes = stackalloc byte[16];
        buffer.AsSpan(next, 16).CopyTo(bytes);
        buffer.AsSpan(next, 16).Clear(); // an id once handed out is not kept in memory
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the high nibble of time_hi, little-endian)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }
}
