using System.Net;

namespace MeshClient.Benchmarks;

/// <summary>
/// The terminal handler of every variant: no sockets, a new empty 200 response per request (as a
/// real handler would create). It holds nothing to release, so one instance serves every pipeline
/// even after a pipeline disposes it.
/// </summary>
internal sealed class InMemoryHandler(bool yielding = false) : HttpMessageHandler
{
    /// <summary>
    /// Whether the response arrives asynchronously, as from a real socket (a <see cref="Task.Yield"/>
    /// before answering): every <c>async</c> method above then runs its state machine to completion.
    /// </summary>
    public bool Yielding { get; } = yielding;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Yielding ? YieldThenAnswerAsync(request) : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });

    private static async Task<HttpResponseMessage> YieldThenAnswerAsync(HttpRequestMessage request)
    {
        await Task.Yield();
        return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
    }
}
