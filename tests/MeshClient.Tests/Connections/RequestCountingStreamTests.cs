using System.Text;
using MeshClient.Connections;

namespace MeshClient.Tests.Connections;

/// <summary>The HTTP/1.1 request count behind Istio <c>maxRequestsPerConnection</c> above 1.</summary>
[Trait("Area", "ConnectionPool")]
public sealed class RequestCountingStreamTests
{
    private const string Response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> ExchangeAsync(RequestCountingStream stream, MemoryStream server, int readSize)
    {
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: a\r\n"u8.ToArray(), Ct); // headers in two writes: one request
        await stream.WriteAsync("\r\n"u8.ToArray(), Ct);
        var position = server.Position;
        server.Write(Encoding.ASCII.GetBytes(Response));
        server.Position = position;
        var text = new StringBuilder();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(7)]
    [InlineData(20)]
    public async Task ReadAsync_LastAllowedRequest_ResponseGetsConnectionClose(int readSize)
    {
        var server = new MemoryStream();
        var stream = new RequestCountingStream(server, maxRequests: 2);

        Assert.Equal(Response, await ExchangeAsync(stream, server, readSize));
        Assert.Equal(1, stream.Requests);
        Assert.Equal("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", await ExchangeAsync(stream, server, readSize));
        Assert.Equal(2, stream.Requests);
    }
}
