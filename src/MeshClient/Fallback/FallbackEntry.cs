using System.Net;
using System.Text;

namespace MeshClient.Fallback;

/// <summary>
/// A cached response: status, headers, body, when it was stored and how long it may be served. Stored in
/// <c>HybridCache</c> as bytes in a small versioned binary form (no reflection-based serializer, so the
/// library stays trimmable and AOT-safe, and every instance reads what another wrote).
/// </summary>
internal sealed class FallbackEntry
{
    private const byte Version = 1;

    // Not replayed: they describe the original connection or message framing, or the original's age.
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Age", "Set-Cookie", "x-mesh-response-flags",
    };

    public required int Status { get; init; }

    public required DateTimeOffset StoredAt { get; init; }

    /// <summary>How long the response is fresh, then how long more it may be served on errors.</summary>
    public required TimeSpan Fresh { get; init; }

    public required TimeSpan StaleIfError { get; init; }

    /// <summary>The response's own <c>Age</c> when it was stored.</summary>
    public TimeSpan InitialAge { get; init; }

    public required List<KeyValuePair<string, string[]>> Headers { get; init; }

    public required List<KeyValuePair<string, string[]>> ContentHeaders { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>The age at <paramref name="now"/>; an entry is servable while it is within <see cref="Fresh"/> plus <see cref="StaleIfError"/>.</summary>
    public TimeSpan AgeAt(DateTimeOffset now) => InitialAge + (now > StoredAt ? now - StoredAt : TimeSpan.Zero);

    public bool IsServableAt(DateTimeOffset now) => AgeAt(now) <= Fresh + StaleIfError;

    public static FallbackEntry From(HttpResponseMessage response, byte[] body, DateTimeOffset now, CacheDirectives directives) => new()
    {
        Status = (int)response.StatusCode,
        StoredAt = now,
        Fresh = directives.Fresh,
        StaleIfError = directives.StaleIfError,
        InitialAge = response.Headers.Age ?? TimeSpan.Zero,
        Headers = Copy(response.Headers),
        ContentHeaders = Copy(response.Content.Headers),
        Body = body,
    };

    /// <summary>A new response for <paramref name="request"/>, with the cached status, headers and body.</summary>
    public HttpResponseMessage ToResponse(HttpRequestMessage request)
    {
        var content = new ByteArrayContent(Body);
        foreach (var (name, values) in ContentHeaders)
        {
            content.Headers.TryAddWithoutValidation(name, values);
        }

        var response = new HttpResponseMessage((HttpStatusCode)Status) { RequestMessage = request, Content = content };
        foreach (var (name, values) in Headers)
        {
            response.Headers.TryAddWithoutValidation(name, values);
        }

        return response;
    }

    public byte[] Serialize()
    {
        using var stream = new MemoryStream(Body.Length + 512);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(Status);
            writer.Write(StoredAt.UtcTicks);
            writer.Write(Fresh.Ticks);
            writer.Write(StaleIfError.Ticks);
            writer.Write(InitialAge.Ticks);
            Write(writer, Headers);
            Write(writer, ContentHeaders);
            writer.Write(Body.Length);
            writer.Write(Body);
        }

        return stream.ToArray();
    }

    /// <summary>The entry, or <see langword="null"/> for bytes this version cannot read (written by another version, or damaged).</summary>
    public static FallbackEntry? Deserialize(byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                return null;
            }

            var status = reader.ReadInt32();
            var storedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var fresh = new TimeSpan(reader.ReadInt64());
            var stale = new TimeSpan(reader.ReadInt64());
            var age = new TimeSpan(reader.ReadInt64());
            var headers = Read(reader);
            var contentHeaders = Read(reader);
            var length = reader.ReadInt32();
            var body = reader.ReadBytes(length);
            return body.Length != length ? null : new FallbackEntry
            {
                Status = status,
                StoredAt = storedAt,
                Fresh = fresh,
                StaleIfError = stale,
                InitialAge = age,
                Headers = headers,
                ContentHeaders = contentHeaders,
                Body = body,
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static List<KeyValuePair<string, string[]>> Copy(System.Net.Http.Headers.HttpHeaders headers)
    {
        var copy = new List<KeyValuePair<string, string[]>>();
        foreach (var (name, values) in headers.NonValidated)
        {
            if (!Skipped.Contains(name))
            {
                var list = new string[values.Count];
                var i = 0;
                foreach (var value in values)
                {
                    list[i++] = value;
                }

                copy.Add(new(name, list));
            }
        }

        return copy;
    }

    private static void Write(BinaryWriter writer, List<KeyValuePair<string, string[]>> headers)
    {
        writer.Write(headers.Count);
        foreach (var (name, values) in headers)
        {
            writer.Write(name);
            writer.Write(values.Length);
            foreach (var value in values)
            {
                writer.Write(value);
            }
        }
    }

    private static List<KeyValuePair<string, string[]>> Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 10_000)
        {
            throw new FormatException("header count");
        }

        var headers = new List<KeyValuePair<string, string[]>>(count);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var valueCount = reader.ReadInt32();
            if (valueCount is < 0 or > 10_000)
            {
                throw new FormatException("value count");
            }

            var values = new string[valueCount];
            for (var j = 0; j < valueCount; j++)
            {
                values[j] = reader.ReadString();
            }

            headers.Add(new(name, values));
        }

        return headers;
    }
}
