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

    /// <summary>What reached the wire: the request URI, its Host header and where the connection went (<c>10.0.0.1:443</c>).</summary>
    public List<Sent> Seen { get; } = [];

    public int DisposeCount { get; private set; }

    public static RecordingHandler Throwing(HttpRequestError error) =>
        new((_, _) => throw new HttpRequestException(error, "simulated " + error));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Seen)
        {
            request.Options.TryGetValue(MeshHarness.TargetKey, out var target);
            Seen.Add(new Sent(request.RequestUri!, request.Headers.Host, target ?? "(no mesh wire)", request.Version, request.VersionPolicy));
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

/// <summary>One request as the wire saw it.</summary>
internal sealed record Sent(Uri Uri, string? Host, string Target, Version Version, HttpVersionPolicy VersionPolicy);
