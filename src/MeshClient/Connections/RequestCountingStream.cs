namespace MeshClient.Connections;

/// <summary>
/// Istio <c>http.maxRequestsPerConnection</c> above 1 on an HTTP/1.1 connection (Envoy
/// <c>max_requests_per_connection</c>: the connection closes after its Nth response). The plaintext
/// stream of the connection (<see cref="SocketsHttpHandler.PlaintextStreamFilter"/>) counts the requests
/// written on it — HTTP/1.1 alternates, so a write after a read starts the next request — and adds
/// <c>Connection: close</c> after the status line of the response to the last allowed one. The server
/// sees nothing different; <see cref="SocketsHttpHandler"/> reads the response, closes the connection
/// instead of pooling it, and opens a new one for the next request.
/// </summary>
/// <remarks>
/// A request with <c>Expect: 100-continue</c> counts twice (its body is written after the interim
/// response was read), so such a connection may carry fewer requests than the limit, never more.
/// The application sees <c>Connection: close</c> on that response.
/// </remarks>
internal sealed class RequestCountingStream(Stream inner, int maxRequests) : Stream
{
    private static readonly byte[] ConnectionClose = "Connection: close\r\n"u8.ToArray();

    private int _requests;
    private bool _readSinceWrite = true;
    private bool _closeAdded;
    private byte[]? _pending;
    private int _pendingOffset;

    /// <summary>The requests written so far (for tests).</summary>
    internal int Requests => _requests;

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TakePending(buffer) is var taken and > 0)
        {
            return taken;
        }

        _readSinceWrite = true;
        var read = inner.Read(buffer);
        return Injects() ? Inject(buffer, read) : read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TakePending(buffer.Span) is var taken and > 0)
        {
            return new ValueTask<int>(taken);
        }

        _readSinceWrite = true;
        // SocketsHttpHandler issues the read of the next response (its read-ahead) before it writes the
        // request: whether that response is the last one's is known when the read completes.
        return buffer.Length > 0 && !_closeAdded && _requests >= maxRequests - 1
            ? ReadInjectingAsync(buffer, cancellationToken)
            : inner.ReadAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadInjectingAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Injects() ? Inject(buffer.Span, read) : read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count();
        return inner.WriteAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Count()
    {
        if (_readSinceWrite)
        {
            _readSinceWrite = false;
            _requests++;
        }
    }

    /// <summary>Whether the read that completed is of the last allowed request's response, before its status line ended.</summary>
    private bool Injects() => !_closeAdded && _requests >= maxRequests;

    /// <summary>Adds <c>Connection: close</c> after the status line if it ends in the <paramref name="read"/> bytes; what does not fit waits for the next read.</summary>
    private int Inject(Span<byte> buffer, int read)
    {
        var lineEnd = buffer[..read].IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return read;
        }

        _closeAdded = true;
        var tail = buffer[(lineEnd + 1)..read].ToArray();
        var output = new byte[ConnectionClose.Length + tail.Length];
        ConnectionClose.CopyTo(output, 0);
        tail.CopyTo(output, ConnectionClose.Length);
        var fits = Math.Min(output.Length, buffer.Length - (lineEnd + 1));
        output.AsSpan(0, fits).CopyTo(buffer[(lineEnd + 1)..]);
        if (fits < output.Length)
        {
            _pending = output;
            _pendingOffset = fits;
        }

        return lineEnd + 1 + fits;
    }

    private int TakePending(Span<byte> buffer)
    {
        if (_pending is null || buffer.Length == 0)
        {
            return 0;
        }

        var count = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsSpan(_pendingOffset, count).CopyTo(buffer);
        _pendingOffset += count;
        if (_pendingOffset == _pending.Length)
        {
            _pending = null;
        }

        return count;
    }
}
