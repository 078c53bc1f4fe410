using System.Net;

namespace MeshClient.Fallback;

/// <summary>
/// Wraps a successful response's content so that the body is copied, up to the policy's limit, while the
/// caller reads it, and stored when the caller reaches its end: nothing is read ahead for the cache, so the
/// caller waits for nothing more than its own reading. A body over the limit, or one the caller stops
/// reading, is dropped (memory stays bounded by the limit per response being read). <c>HttpClient</c>'s
/// default (<c>ResponseContentRead</c>) reads the whole body before returning: the copy happens then, and
/// the store itself runs on the thread pool.
/// </summary>
internal sealed class FallbackCaptureContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly int _limit;
    private readonly Action<byte[], object> _complete;
    private readonly Action<object> _tooLarge;
    private readonly object _state;

    public FallbackCaptureContent(HttpContent inner, int limit, Action<byte[], object> complete, Action<object> tooLarge, object state)
    {
        _inner = inner;
        _limit = limit;
        _complete = complete;
        _tooLarge = tooLarge;
        _state = state;
        foreach (var (name, values) in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(name, values);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new CaptureStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false; // the Content-Length header, when the upstream sent one, was copied
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads through to the inner stream, keeping a copy; at the end hands the copy over once.</summary>
    private sealed class CaptureStream(Stream inner, FallbackCaptureContent owner) : Stream
    {
        private MemoryStream? _copy = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            if (buffer.Length > 0)
            {
                Capture(buffer[..read]);
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (buffer.Length > 0)
            {
                Capture(buffer.Span[..read]);
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _copy = null; // not read to the end: nothing is stored
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            _copy = null;
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private void Capture(ReadOnlySpan<byte> data)
        {
            if (_copy is not { } copy)
            {
                return;
            }

            if (data.Length == 0)
            {
                _copy = null;
                owner._complete(copy.ToArray(), owner._state);
                return;
            }

            if (copy.Length + data.Length > owner._limit)
            {
                _copy = null;
                owner._tooLarge(owner._state);
                return;
            }

            copy.Write(data);
        }
    }
}
