using System.Net;

namespace MeshClient.Tests.TestSupport;

/// <summary>An in-memory terminal handler that records what it was sent and answers as told.</summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _respond;

    public RecordingHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? respond = null)
    {
        _respond = respond ?? ((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
    }

    public List<(Uri Uri, string? Host)> Seen { get; } = [];

    public int DisposeCount { get; private set; }

    public static RecordingHandler Throwing(HttpRequestError error) =>
        new((_, _) => throw new HttpRequestException(error, "simulated " + error));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Seen)
        {
            Seen.Add((request.RequestUri!, request.Headers.Host));
        }

        var response = await _respond(request, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        DisposeCount++;
        base.Dispose(disposing);
    }
}
